/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public var name: String { "environment" }

    public init(environment: AWSEnvironment) { self.environment = environment }

    public func resolveCredentials() async throws -> AWSCredentials? {
        let keyId = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (keyId, secret) {
        case (nil, nil):
            return nil
        case let (keyId?, secret?):
            return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret,
                                  sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"])
        default:
            throw AWSConfigurationError.incompleteCredentials(source: "the environment")
        }
    }
}
