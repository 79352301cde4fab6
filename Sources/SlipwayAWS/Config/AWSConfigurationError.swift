/// Errors in resolving credentials, region or endpoints, worded for the person running Slipway.
public enum AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCredentials(tried: [String])
    case profileNotFound(String)
    case incompleteCredentials(source: String)
    case unsupportedProfileCredentials(profile: String, setting: String)
    case credentialEndpointFailed(source: String, message: String)
    case noRegion
    case invalidEndpoint(String)

    public var description: String {
        switch self {
        case .noCredentials(let tried):
            return "no AWS credentials found (tried: \(tried.joined(separator: ", "))); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
        case .profileNotFound(let name):
            return "AWS profile '\(name)' was not found in the shared credentials or config file"
        case .incompleteCredentials(let source):
            return "\(source) has an access key id without a secret access key (or the reverse)"
        case .unsupportedProfileCredentials(let profile, let setting):
            return "AWS profile '\(profile)' uses '\(setting)', which Slipway does not support yet; export static or environment credentials instead"
        case .credentialEndpointFailed(let source, let message):
            return "\(source) credentials could not be fetched: \(message)"
        case .noRegion:
            return "no AWS region configured; set AWS_REGION or a profile 'region'"
        case .invalidEndpoint(let value):
            return "invalid AWS endpoint URL '\(value)'"
        }
    }
}
