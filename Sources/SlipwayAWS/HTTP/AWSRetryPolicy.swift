import Foundation

/// The SDKs' "standard" retry mode: throttling, transient and 5xx errors and connection
/// failures are retried with exponential backoff and full jitter, up to `maxAttempts` in total.
public struct AWSRetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Waits between attempts; tests inject one that returns at once.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Returns a value in [0, 1); injectable for deterministic tests.
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(20),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
        self.random = random
    }

    /// Full jitter: a uniform delay in [0, min(max, base * 2^(attempt-1))).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(1 << min(attempt - 1, 30))
        let ceiling = min(maxDelay / .milliseconds(1), (baseDelay / .milliseconds(1)) * exponent)
        return .milliseconds(ceiling * random())
    }

    public func isRetryable(_ error: AWSError) -> Bool {
        error.isThrottling || AWSError.transientCodes.contains(error.code) || [500, 502, 503, 504].contains(error.status)
    }
}
