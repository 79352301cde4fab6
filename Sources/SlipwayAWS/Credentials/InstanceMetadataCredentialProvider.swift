import Foundation

/// EC2 instance role credentials through IMDSv2: PUT a session token, GET the role name, GET the
/// role's credentials. Any failure to reach the service means "not on EC2" (nil), so the timeout
/// is short. `AWS_EC2_METADATA_DISABLED=true` skips it; `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// moves it.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    public static let defaultEndpoint = "http://169.254.169.254"
    public let environment: AWSEnvironment
    public var timeout: TimeInterval
    public var name: String { "EC2 instance metadata" }

    public init(environment: AWSEnvironment, timeout: TimeInterval = 1) {
        self.environment = environment
        self.timeout = timeout
    }

    public func resolveCredentials() async throws -> AWSCredentials? {
        if environment.isTrue("AWS_EC2_METADATA_DISABLED") { return nil }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? Self.defaultEndpoint
        while base.hasSuffix("/") { base.removeLast() }
        guard let tokenURL = URL(string: base + "/latest/api/token"),
              let rolesURL = URL(string: base + "/latest/meta-data/iam/security-credentials/") else {
            throw AWSConfigurationError.invalidEndpoint(base)
        }
        guard let token = try? await MetadataHTTP.send(tokenURL, method: "PUT",
                                                        headers: ["x-aws-ec2-metadata-token-ttl-seconds": "21600"], timeout: timeout),
              token.status == 200 else {
            return nil
        }
        let auth = ["x-aws-ec2-metadata-token": String(decoding: token.body, as: UTF8.self)]
        // From here on the service exists, so a failure is an error rather than "not on EC2".
        let roles = try await get(rolesURL, headers: auth)
        guard let role = String(decoding: roles, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            return nil
        }
        guard let credentialsURL = URL(string: rolesURL.absoluteString + AWSURIEncoding.encode(role)) else {
            throw AWSConfigurationError.invalidEndpoint(role)
        }
        return try MetadataHTTP.decodeCredentials(try await get(credentialsURL, headers: auth), source: name)
    }

    private func get(_ url: URL, headers: [String: String]) async throws -> Data {
        let response: MetadataHTTP.Response
        do {
            response = try await MetadataHTTP.send(url, headers: headers, timeout: timeout)
        } catch {
            throw AWSConfigurationError.credentialEndpointFailed(source: name, message: "\(url.path): \(error.localizedDescription)")
        }
        guard response.status == 200 else {
            throw AWSConfigurationError.credentialEndpointFailed(source: name, message: "\(url.path) answered HTTP \(response.status)")
        }
        return response.body
    }
}
