import Foundation

/// One query parameter, unencoded.
public struct AWSQueryItem: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request body. It always carries a content type: without one, HTTP clients tend to add
/// `application/x-www-form-urlencoded`, and servers (moto) then parse and lose the body.
public enum AWSRequestBody: Sendable {
    case empty
    case data(Data, contentType: String)
    /// Bytes of an open file, streamed as they are sent (uploads: nothing held in memory).
    case file(AWSFileRange, contentType: String)

    var contentType: String? {
        switch self {
        case .empty: return nil
        case .data(_, let contentType), .file(_, let contentType): return contentType
        }
    }

    var wireBody: HTTPWireRequest.Body {
        switch self {
        case .empty: return .none
        case .data(let data, _): return .data(data)
        case .file(let range, _): return .file(range)
        }
    }
}

/// A service-agnostic description of one API call; `AWSClient` addresses, signs and sends it.
public struct AWSRequest: Sendable {
    public enum PayloadSigning: Sendable {
        /// Hash the body into the signature (the default).
        case signed
        /// A SHA-256 the caller already computed.
        case precomputedSHA256(String)
        /// `UNSIGNED-PAYLOAD` (S3 only).
        case unsigned
    }

    public var service: AWSService
    /// The API operation name, used in errors (`PutObject`, `DescribeInstances`).
    public var operation: String
    public var method: String
    /// Unencoded path below the endpoint, starting with `/`; the client percent-encodes it.
    public var path: String
    public var query: [AWSQueryItem]
    public var headers: [HTTPHeader]
    public var body: AWSRequestBody
    public var payloadSigning: PayloadSigning
    /// Prepended to the endpoint host (S3 virtual-hosted style: `bucket.`).
    public var hostPrefix: String?

    public init(service: AWSService, operation: String, method: String, path: String = "/", query: [AWSQueryItem] = [],
                headers: [HTTPHeader] = [], body: AWSRequestBody = .empty, payloadSigning: PayloadSigning = .signed, hostPrefix: String? = nil) {
        self.service = service
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.payloadSigning = payloadSigning
        self.hostPrefix = hostPrefix
    }

    /// A query-protocol call (IAM, STS, EC2, ELBv2, AutoScaling, CloudWatch): a form-encoded
    /// POST with `Action` and `Version`. Lists are flattened by the caller (`Names.member.1`).
    public static func query(service: AWSService, action: String, version: String, parameters: [AWSQueryItem] = []) -> AWSRequest {
        let items = [AWSQueryItem("Action", action), AWSQueryItem("Version", version)] + parameters
        let form = items.map { "\(AWSURIEncoding.encode($0.name))=\(AWSURIEncoding.encode($0.value))" }.joined(separator: "&")
        return AWSRequest(service: service, operation: action, method: "POST",
                          body: .data(Data(form.utf8), contentType: "application/x-www-form-urlencoded; charset=utf-8"))
    }

    /// A JSON-protocol call (ECS, SSM): POST `/` with `X-Amz-Target: <targetPrefix>.<operation>`.
    public static func json(service: AWSService, targetPrefix: String, operation: String, body: Data, jsonVersion: String = "1.1") -> AWSRequest {
        AWSRequest(service: service, operation: operation, method: "POST",
                   headers: [HTTPHeader("X-Amz-Target", "\(targetPrefix).\(operation)")],
                   body: .data(body, contentType: "application/x-amz-json-\(jsonVersion)"))
    }
}

/// A successful (2xx) response.
public struct AWSResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public subscript(header name: String) -> String? { headers[name.lowercased()] }

    /// The body parsed as XML (rest-xml and query protocols).
    public func xml() throws -> AWSXML.Element { try AWSXML.parse(body) }
}
