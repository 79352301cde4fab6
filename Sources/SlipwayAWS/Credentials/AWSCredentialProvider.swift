/// One source of credentials in the chain.
public protocol AWSCredentialProvider: Sendable {
    /// Shown in "tried: ..." messages.
    var name: String { get }
    /// nil when this source is not configured (the chain moves on); throws when it is
    /// configured but broken, because silently falling through to another identity is worse.
    func resolveCredentials() async throws -> AWSCredentials?
}

/// Fixed credentials, for callers that already have a key (and for tests).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let credentials: AWSCredentials
    public var name: String { "static" }

    public init(_ credentials: AWSCredentials) { self.credentials = credentials }

    public func resolveCredentials() async throws -> AWSCredentials? { credentials }
}
