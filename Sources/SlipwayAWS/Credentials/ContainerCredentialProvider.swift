import Foundation

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (against
/// 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the optional authorization token
/// from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read each time: EKS rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    public static let relativeBase = "http://169.254.170.2"
    public let environment: AWSEnvironment
    public var timeout: TimeInterval
    public var name: String { "container credentials" }

    public init(environment: AWSEnvironment, timeout: TimeInterval = 2) {
        self.environment = environment
        self.timeout = timeout
    }

    public func resolveCredentials() async throws -> AWSCredentials? {
        guard let url = try endpointURL() else { return nil }
        var headers: [String: String] = [:]
        if let token = try authorizationToken() { headers["Authorization"] = token }
        let response: MetadataHTTP.Response
        do {
            response = try await MetadataHTTP.send(url, headers: headers, timeout: timeout)
        } catch {
            throw AWSConfigurationError.credentialEndpointFailed(source: name, message: "\(url.absoluteString): \(error.localizedDescription)")
        }
        guard response.status == 200 else {
            throw AWSConfigurationError.credentialEndpointFailed(source: name, message: "\(url.absoluteString) answered HTTP \(response.status)")
        }
        return try MetadataHTTP.decodeCredentials(response.body, source: name)
    }

    func endpointURL() throws -> URL? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            guard let url = URL(string: Self.relativeBase + relative) else { throw AWSConfigurationError.invalidEndpoint(relative) }
            return url
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else { return nil }
        guard let url = URL(string: full), let host = url.host else { throw AWSConfigurationError.invalidEndpoint(full) }
        // Plain HTTP is only trusted to the link-local container agents and this machine,
        // as in the AWS SDKs: anything else could be a network attacker handing out keys.
        if url.scheme == "https" || Self.isAllowedPlainHTTPHost(host) { return url }
        throw AWSConfigurationError.credentialEndpointFailed(source: name, message: "\(full) must use https or a loopback / container-agent address")
    }

    static func isAllowedPlainHTTPHost(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare == "localhost" || bare.hasPrefix("127.") || bare == "::1"
            || bare == "169.254.170.2" || bare == "169.254.170.23" || bare.lowercased() == "fd00:ec2::23"
    }

    func authorizationToken() throws -> String? {
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AWSConfigurationError.credentialEndpointFailed(source: name, message: "cannot read token file \(path)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    }
}
