import Foundation

/// Where a service is reached and how requests to it are addressed.
public struct AWSEndpoint: Sendable, Equatable {
    /// Scheme, host, optional port and optional base path; no trailing slash.
    public var baseURL: URL
    public var signingRegion: String
    /// S3 buckets in the path (`host/bucket/key`) instead of the host name. Custom endpoints
    /// (emulators, S3-compatible stores) rarely have wildcard DNS, so they get path style.
    public var usesPathStyle: Bool

    public init(baseURL: URL, signingRegion: String, usesPathStyle: Bool) {
        self.baseURL = baseURL
        self.signingRegion = signingRegion
        self.usesPathStyle = usesPathStyle
    }
}

/// Region and endpoints resolved from an injected environment and the shared config file.
public struct AWSConfiguration: Sendable {
    public var environment: AWSEnvironment
    public var region: String
    private var profileSettings: [String: String]

    /// Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`; `region` overrides all.
    public init(environment: AWSEnvironment, region: String? = nil) throws {
        self.environment = environment
        let files = SharedConfigFiles(environment: environment)
        profileSettings = files.profile(environment.profileName) ?? [:]
        guard let resolved = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
                ?? profileSettings["region"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw AWSConfigurationError.noRegion
        }
        self.region = resolved
    }

    /// `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`,
    /// else `https://<prefix>.<region>.amazonaws.com`. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
    /// keeps the standard endpoint.
    public func endpoint(for service: AWSService) throws -> AWSEndpoint {
        let signingRegion = service.isGlobal ? "us-east-1" : region
        if !environment.isTrue("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
           let custom = environment[service.endpointEnvironmentVariable] ?? environment["AWS_ENDPOINT_URL"] ?? profileSettings["endpoint_url"] {
            var trimmed = custom
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw AWSConfigurationError.invalidEndpoint(custom)
            }
            return AWSEndpoint(baseURL: url, signingRegion: signingRegion, usesPathStyle: true)
        }
        let host = service.isGlobal ? "\(service.endpointPrefix).amazonaws.com" : "\(service.endpointPrefix).\(region).amazonaws.com"
        let suffix = region.hasPrefix("cn-") ? ".cn" : ""
        guard let url = URL(string: "https://\(host)\(suffix)") else { throw AWSConfigurationError.invalidEndpoint(host) }
        return AWSEndpoint(baseURL: url, signingRegion: signingRegion, usesPathStyle: false)
    }
}
