import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Signs and sends `AWSRequest`s over URLSession with standard-mode retries. Every service
/// client (S3, Lambda, ECS, ...) is a thin layer of request builders and response parsers
/// over this one type.
public final class AWSClient: Sendable {
    public let configuration: AWSConfiguration
    public let credentialProvider: any AWSCredentialProvider
    public let retryPolicy: AWSRetryPolicy
    let session: URLSession
    let now: @Sendable () -> Date

    public init(configuration: AWSConfiguration, credentialProvider: any AWSCredentialProvider,
                retryPolicy: AWSRetryPolicy = AWSRetryPolicy(), requestTimeout: TimeInterval = 60,
                maxConnectionsPerHost: Int = 8, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.credentialProvider = credentialProvider
        self.retryPolicy = retryPolicy
        self.now = now
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = requestTimeout
        sessionConfiguration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        sessionConfiguration.urlCache = nil
        sessionConfiguration.httpCookieStorage = nil
        session = URLSession(configuration: sessionConfiguration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// A client configured from an environment: standard credential chain, region, endpoints.
    public static func standard(environment: AWSEnvironment = .process(), region: String? = nil,
                                retryPolicy: AWSRetryPolicy = AWSRetryPolicy()) throws -> AWSClient {
        AWSClient(configuration: try AWSConfiguration(environment: environment, region: region),
                  credentialProvider: AWSCredentialChain.standard(environment: environment), retryPolicy: retryPolicy)
    }

    // MARK: Sending

    /// Sends with retries; returns a 2xx response or throws `AWSError` / `AWSConnectionError`.
    public func send(_ request: AWSRequest) async throws -> AWSResponse {
        try await withRetries(request) { urlRequest in
            let (data, response) = try await self.session.data(for: urlRequest)
            return (data, response)
        }
    }

    /// Like `send`, but streams a successful body into `destination` (replacing it) instead of
    /// memory; the returned response has an empty body.
    public func download(_ request: AWSRequest, to destination: URL) async throws -> AWSResponse {
        try await withRetries(request) { urlRequest in
            let (temporary, response) = try await self.session.download(for: urlRequest)
            defer { try? FileManager.default.removeItem(at: temporary) }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard (200..<300).contains(status) else {
                // The error document was written to the file: read it back for the parser.
                return ((try? Data(contentsOf: temporary)) ?? Data(), response)
            }
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.moveItem(at: temporary, to: destination)
            return (Data(), response)
        }
    }

    private func withRetries(_ request: AWSRequest,
                             _ perform: @Sendable (URLRequest) async throws -> (Data, URLResponse)) async throws -> AWSResponse {
        var attempt = 0
        while true {
            attempt += 1
            let urlRequest = try await signedURLRequest(for: request)
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await perform(urlRequest)
            } catch let error as URLError where Self.isConnectionError(error) {
                if attempt < retryPolicy.maxAttempts {
                    try await retryPolicy.sleep(retryPolicy.delay(afterAttempt: attempt))
                    continue
                }
                throw AWSConnectionError(service: request.service.serviceId, operation: request.operation,
                                         url: urlRequest.url?.absoluteString ?? "?", attempts: attempt, underlying: error.localizedDescription)
            }
            let http = response as? HTTPURLResponse
            let status = http?.statusCode ?? 0
            let headers = Self.lowercasedHeaders(http)
            if (200..<300).contains(status) {
                return AWSResponse(status: status, headers: headers, body: data)
            }
            let error = AWSErrorParser.parse(service: request.service.serviceId, operation: request.operation,
                                             status: status, headers: headers, body: data)
            if retryPolicy.isRetryable(error), attempt < retryPolicy.maxAttempts {
                try await retryPolicy.sleep(retryPolicy.delay(afterAttempt: attempt))
                continue
            }
            throw error
        }
    }

    static func isConnectionError(_ error: URLError) -> Bool {
        [.timedOut, .cannotConnectToHost, .networkConnectionLost, .cannotFindHost, .dnsLookupFailed,
         .notConnectedToInternet, .badServerResponse, .secureConnectionFailed].contains(error.code)
    }

    static func lowercasedHeaders(_ response: HTTPURLResponse?) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in response?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return headers
    }

    // MARK: Addressing and signing

    /// The request as URLSession will send it, signed now with the current credentials.
    /// Public so that callers (and signature tests) can inspect or alter it.
    public func signedURLRequest(for request: AWSRequest) async throws -> URLRequest {
        let endpoint = try configuration.endpoint(for: request.service)
        let target = try Self.target(for: request, endpoint: endpoint)
        var headers = request.headers
        headers.append(HTTPHeader("Host", target.hostHeader))
        if case .data(_, let contentType) = request.body,
           !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(HTTPHeader("Content-Type", contentType))
        }
        let signer = SigV4Signer(credentials: try await currentCredentials(), region: endpoint.signingRegion,
                                 service: request.service.signingName, options: request.service.signingOptions)
        let signature = signer.signHeaders(SigV4Request(method: request.method, path: target.path, query: target.query,
                                                        headers: headers, payload: payload(for: request)), date: now())
        var urlRequest = URLRequest(url: target.url)
        urlRequest.httpMethod = request.method
        // Host is set by URLSession from the URL; setting it by hand is ignored on some platforms.
        for header in headers + signature.addedHeaders where header.name.lowercased() != "host" {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if case .data(let data, _) = request.body { urlRequest.httpBody = data }
        return urlRequest
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
                                                    headers: headers, payload: payload(for: request)), expires: expires, date: now())
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

    private func payload(for request: AWSRequest) -> SigV4Payload {
        switch request.payloadSigning {
        case .signed: return .bytes(request.body.data)
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
