import Foundation

/// The standard chain: environment, shared files profile, container, instance metadata. The
/// first source with credentials wins and is remembered; temporary credentials are cached and
/// refreshed `refreshWindow` before they expire, with concurrent callers sharing one refresh.
public actor AWSCredentialChain: AWSCredentialProvider {
    public nonisolated let providers: [any AWSCredentialProvider]
    public nonisolated let refreshWindow: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials?
    private var winner: Int?
    private var refreshing: Task<AWSCredentials, any Error>?

    public nonisolated var name: String { "credential chain" }

    public init(providers: [any AWSCredentialProvider], refreshWindow: TimeInterval = 300, now: @escaping @Sendable () -> Date = Date.init) {
        self.providers = providers
        self.refreshWindow = refreshWindow
        self.now = now
    }

    /// The default order, reading only the given environment.
    public static func standard(environment: AWSEnvironment) -> AWSCredentialChain {
        AWSCredentialChain(providers: [
            EnvironmentCredentialProvider(environment: environment),
            ProfileCredentialProvider(environment: environment),
            ContainerCredentialProvider(environment: environment),
            InstanceMetadataCredentialProvider(environment: environment),
        ])
    }

    public func resolveCredentials() async throws -> AWSCredentials? { try await credentials() }

    /// Cached credentials while they are fresh; otherwise resolves again.
    public func credentials() async throws -> AWSCredentials {
        if let cached, isFresh(cached) { return cached }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.resolveFromProviders() }
        refreshing = task
        defer { refreshing = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh
        } catch {
            // A failed refresh should not stop work while the old credentials are still valid.
            if let cached, let expiration = cached.expiration, expiration > now() { return cached }
            throw error
        }
    }

    private func isFresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return expiration.timeIntervalSince(now()) > refreshWindow
    }

    private func resolveFromProviders() async throws -> AWSCredentials {
        // Once a source has answered, keep asking it: switching identity mid-run would be a surprise.
        if let winner, let credentials = try await providers[winner].resolveCredentials() { return credentials }
        for (index, provider) in providers.enumerated() {
            if let credentials = try await provider.resolveCredentials() {
                winner = index
                return credentials
            }
        }
        throw AWSConfigurationError.noCredentials(tried: providers.map(\.name))
    }
}
