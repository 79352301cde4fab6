#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Forwards progress at most once per interval (monotonic clock), and always the final report.
struct ProgressThrottle {
    let interval: Double
    let report: (@Sendable (PackageProgress) -> Void)?
    private var lastReport = -Double.infinity

    init(interval: Double, report: (@Sendable (PackageProgress) -> Void)?) {
        self.interval = interval
        self.report = report
    }

    mutating func offer(_ progress: PackageProgress, final: Bool = false) {
        guard let report else { return }
        let now = Self.monotonicSeconds()
        guard final || now - lastReport >= interval else { return }
        lastReport = now
        report(progress)
    }

    private static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
