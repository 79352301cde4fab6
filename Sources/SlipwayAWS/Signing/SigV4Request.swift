import Foundation

/// One header line. Order and duplicates matter to SigV4 (duplicates are joined in order).
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What goes into the last line of the canonical request.
public enum SigV4Payload: Sendable {
    /// The signer hashes these bytes.
    case bytes(Data)
    /// A SHA-256 hex digest the caller computed (e.g. while streaming a file).
    case sha256Hex(String)
    /// `UNSIGNED-PAYLOAD`: S3 presigned URLs, or bodies the caller chooses not to hash.
    case unsigned

    var hashValue: String {
        switch self {
        case .bytes(let data): return data.isEmpty ? Digests.emptySHA256 : Digests.sha256Hex(data)
        case .sha256Hex(let hex): return hex
        case .unsigned: return "UNSIGNED-PAYLOAD"
        }
    }
}

/// A request as the signer sees it: wire-level pieces rather than a URL, because a URL type
/// would re-encode or reject exactly the paths whose canonical form SigV4 cares about.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path as sent on the wire (already percent-encoded by whoever built it).
    public var path: String
    /// The query as sent on the wire, without `?` (may be empty).
    public var query: String
    /// Must include `host`.
    public var headers: [HTTPHeader]
    public var payload: SigV4Payload

    public init(method: String, path: String, query: String = "", headers: [HTTPHeader], payload: SigV4Payload = .bytes(Data())) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }
}

/// The per-service differences SigV4 allows.
public struct SigV4Options: Sendable, Hashable {
    /// Remove `.`/`..` segments and duplicate slashes (every service but S3).
    public var normalizePath: Bool
    /// Percent-encode the wire path once more ("double encoding"; every service but S3).
    public var encodePath: Bool
    /// Send `x-amz-content-sha256` (S3 requires it on every request).
    public var addContentSHA256Header: Bool
    /// When false, the session token is attached after signing instead of being signed
    /// (a legacy form some services expect; kept because the conformance suite covers it).
    public var signSessionToken: Bool

    public init(normalizePath: Bool = true, encodePath: Bool = true, addContentSHA256Header: Bool = false, signSessionToken: Bool = true) {
        self.normalizePath = normalizePath
        self.encodePath = encodePath
        self.addContentSHA256Header = addContentSHA256Header
        self.signSessionToken = signSessionToken
    }

    public static let standard = SigV4Options()
    public static let s3 = SigV4Options(normalizePath: false, encodePath: false, addContentSHA256Header: true)
}

/// The outcome of signing, with the intermediate strings kept for tests and debugging.
public struct SigV4Signature: Sendable {
    /// Headers to add to the request (header signing), or empty (query signing).
    public var addedHeaders: [HTTPHeader]
    /// The complete wire query after signing (query signing), or the unchanged query.
    public var query: String
    public var canonicalRequest: String
    public var stringToSign: String
    public var signature: String
    /// The `Authorization` header value (header signing only).
    public var authorization: String?
}
