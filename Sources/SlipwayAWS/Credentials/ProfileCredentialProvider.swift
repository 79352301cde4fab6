/// Static keys from the shared `credentials`/`config` files for the selected profile.
public struct ProfileCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public var name: String { "profile '\(environment.profileName)'" }

    public init(environment: AWSEnvironment) { self.environment = environment }

    public func resolveCredentials() async throws -> AWSCredentials? {
        let profileName = environment.profileName
        guard let profile = SharedConfigFiles(environment: environment).profile(profileName) else {
            // Naming a profile that does not exist is a mistake worth stopping for; the implicit
            // `default` profile missing just means "not configured".
            if environment["AWS_PROFILE"] != nil || environment["AWS_DEFAULT_PROFILE"] != nil {
                throw AWSConfigurationError.profileNotFound(profileName)
            }
            return nil
        }
        let keyId = profile["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = profile["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        switch (keyId, secret) {
        case let (keyId?, secret?):
            let token = profile["aws_session_token"] ?? profile["aws_security_token"]
            return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token?.isEmpty == true ? nil : token)
        case (nil, nil):
            for setting in ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"] where profile[setting] != nil {
                throw AWSConfigurationError.unsupportedProfileCredentials(profile: profileName, setting: setting)
            }
            return nil
        default:
            throw AWSConfigurationError.incompleteCredentials(source: "profile '\(profileName)'")
        }
    }
}
