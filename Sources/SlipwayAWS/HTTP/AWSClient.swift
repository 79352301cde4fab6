import Crypto
import Foundation

/// Signs and sends `AWSRequest`s over libcurl (`CurlTransport`) with standard-mode retries.
/// Every service client (S3, Lambda, ECS, ...) is a thin layer of request builders and
/// response parsers over this one type, and every request, small API call or multi-gigabyte
/// upload, takes the same path: sign, send, parse errors, retry.
public final class AWSClient: Sendable {
    public let configuration: AWSConfiguration
    public let credentialProvider: any AWSCredentialProvider
    public let retryPolicy: AWSRetryPolicy
    let transport: CurlTransport
    let now: @Sendable () -> Date

    /// `requestTimeout`: seconds to connect, and seconds without progress before a transfer
    /// fails (a connection error, so retried). `maxConnectionsPerHost`: idle connections kept.
    public init(configuration: AWSConfiguration, credentialProvider: any AWSCredentialProvider,
                retryPolicy: AWSRetryPolicy = AWSRetryPolicy(), requestTimeout: TimeInterval = 60,
                maxConnectionsPerHost: Int = 8, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.credentialProvider = credentialProvider
        self.retryPolicy = retryPolicy
        self.now = now
        transport = CurlTransport(timeoutSeconds: Int(requestTimeout.rounded(.up)), maxIdleHandles: maxConnectionsPerHost)
    }

    /// A client configured from an environment: standard credential chain, region, endpoints.
    /// `endpoint` (a stage's `with.endpoint`) wins over `AWS_ENDPOINT_URL`, for every service.
    public static func standard(environment: AWSEnvironment = .process(), region: String? = nil, endpoint: String? = nil,
                                retryPolicy: AWSRetryPolicy = AWSRetryPolicy()) throws -> AWSClient {
        var environment = environment
        if let endpoint { environment.variables["AWS_ENDPOINT_URL"] = endpoint }
        return AWSClient(configuration: try AWSConfiguration(environment: environment, region: region),
                         credentialProvider: AWSCredentialChain.standard(environment: environment), retryPolicy: retryPolicy)
    }

    // MARK: Sending

    /// Sends with retries; returns a 2xx response or throws `AWSError` / `AWSConnectionError`.
    /// A `.file` body is re-read from its range on every attempt.
    public func send(_ request: AWSRequest) async throws -> AWSResponse {
        try await withRetries(request) { wire in try await self.transport.perform(wire) }
    }

    /// Like `send`, but streams a successful body into `destination` (replacing it, atomically:
    /// a temporary file beside it is renamed) instead of memory; the returned response has an
    /// empty body.
    public func download(_ request: AWSRequest, to destination: URL) async throws -> AWSResponse {
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).download-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let response = try await withRetries(request) { wire in
            try await self.transport.perform(wire, sink: .file(temporary))
        }
        guard rename(temporary.path, destination.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return response
    }

    private func withRetries(_ request: AWSRequest,
                             _ perform: @Sendable (HTTPWireRequest) async throws -> HTTPWireResponse) async throws -> AWSResponse {
        var attempt = 0
        while true {
            attempt += 1
            let wire = try await signedRequest(for: request)
            let response: HTTPWireResponse
            do {
                response = try await perform(wire)
            } catch let error as HTTPTransportError where error.isConnectionError {
                if attempt < retryPolicy.maxAttempts {
                    try await retryPolicy.sleep(retryPolicy.delay(afterAttempt: attempt))
                    continue
                }
                throw AWSConnectionError(service: request.service.serviceId, operation: request.operation,
                                         url: wire.url, attempts: attempt, underlying: error.message)
            }
            if (200..<300).contains(response.status) {
                return AWSResponse(status: response.status, headers: response.headers, body: response.body)
            }
            let error = AWSErrorParser.parse(service: request.service.serviceId, operation: request.operation,
                                             status: response.status, headers: response.headers, body: response.body)
            if retryPolicy.isRetryable(error), attempt < retryPolicy.maxAttempts {
                try await retryPolicy.sleep(retryPolicy.delay(afterAttempt: attempt))
                continue
            }
            throw error
        }
    }

    // MARK: Addressing and signing

    /// The request as it goes on the wire, signed now with the current credentials.
    /// Public so that callers (and signature tests) can inspect or alter it.
    public func signedRequest(for request: AWSRequest) async throws -> HTTPWireRequest {
        let endpoint = try configuration.endpoint(for: request.service)
        let target = try Self.target(for: request, endpoint: endpoint)
        var headers = request.headers
        headers.append(HTTPHeader("Host", target.hostHeader))
        if let contentType = request.body.contentType,
           !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(HTTPHeader("Content-Type", contentType))
        }
        let signer = SigV4Signer(credentials: try await currentCredentials(), region: endpoint.signingRegion,
                                 service: request.service.signingName, options: request.service.signingOptions)
        let signature = signer.signHeaders(SigV4Request(method: request.method, path: target.path, query: target.query,
                                                        headers: headers, payload: try payload(for: request)), date: now())
        return HTTPWireRequest(method: request.method, url: target.url.absoluteString,
                               headers: headers + signature.addedHeaders, body: request.body.wireBody)
    }

    /// A presigned URL (query signing) valid for `expires` seconds. S3 presigned URLs use
    /// `UNSIGNED-PAYLOAD`, so the body of a presigned PUT is not part of the signature.
    public func presignedURL(for request: AWSRequest, expires: Int) async throws -> URL {
        let endpoint = try configuration.endpoint(for: request.service)
        let target = try Self.target(for: request, endpoint: endpoint)
        let headers = request.headers + [HTTPHeader("Host", target.hostHeader)]
        let signer = SigV4Signer(credentials: try await currentCredentials(), region: endpoint.signingRegion,
                                 service: request.service.signingName, options: request.service.signingOptions)
        let signature = signer.presign(SigV4Request(method: request.method, path: target.path, query: target.query,
                                                    headers: headers, payload: try payload(for: request)), expires: expires, date: now())
        guard let url = URL(string: target.base + target.path + "?" + signature.query) else {
            throw AWSConfigurationError.invalidEndpoint(target.base)
        }
        return url
    }

    func currentCredentials() async throws -> AWSCredentials {
        if let chain = credentialProvider as? AWSCredentialChain { return try await chain.credentials() }
        guard let credentials = try await credentialProvider.resolveCredentials() else {
            throw AWSConfigurationError.noCredentials(tried: [credentialProvider.name])
        }
        return credentials
    }

    private func payload(for request: AWSRequest) throws -> SigV4Payload {
        switch request.payloadSigning {
        case .signed:
            switch request.body {
            case .empty: return .bytes(Data())
            case .data(let data, _): return .bytes(data)
            case .file(let range, _):
                var hash = SHA256()
                try range.forEachChunk { hash.update(bufferPointer: $0) }
                return .sha256Hex(Digests.hex(hash.finalize()))
            }
        case .precomputedSHA256(let hex): return .sha256Hex(hex)
        case .unsigned: return .unsigned
        }
    }

    struct Target {
        var base: String      // scheme://host[:port]
        var path: String      // encoded wire path
        var query: String     // encoded wire query
        var hostHeader: String
        var url: URL
    }

    static func target(for request: AWSRequest, endpoint: AWSEndpoint) throws -> Target {
        guard var components = URLComponents(url: endpoint.baseURL, resolvingAgainstBaseURL: false),
              let scheme = components.scheme, var host = components.host else {
            throw AWSConfigurationError.invalidEndpoint(endpoint.baseURL.absoluteString)
        }
        if let prefix = request.hostPrefix { host = prefix + host }
        components.host = host
        let defaultPort = scheme == "https" ? 443 : 80
        let portSuffix = components.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""
        let hostForURL = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let base = "\(scheme)://\(hostForURL)\(portSuffix)"
        let basePath = components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        let path = basePath + AWSURIEncoding.encodePath(request.path.hasPrefix("/") ? request.path : "/" + request.path)
        let query = request.query.map { "\(AWSURIEncoding.encode($0.name))=\(AWSURIEncoding.encode($0.value))" }.joined(separator: "&")
        guard let url = URL(string: base + path + (query.isEmpty ? "" : "?" + query)) else {
            throw AWSConfigurationError.invalidEndpoint(base + path)
        }
        return Target(base: base, path: path, query: query, hostHeader: hostForURL + portSuffix, url: url)
    }
}
