import Foundation

/// AWS Signature Version 4, both as an `Authorization` header and as a presigned query.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Headers that proxies or the HTTP stack may change, so signing them would break requests.
    static let unsignedHeaderNames: Set<String> = ["authorization", "user-agent", "expect", "x-amzn-trace-id", "connection"]

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var options: SigV4Options

    public init(credentials: AWSCredentials, region: String, service: String, options: SigV4Options = .standard) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    /// Signs with an `Authorization` header. Add `addedHeaders` to the request as sent.
    public func signHeaders(_ request: SigV4Request, date: Date) -> SigV4Signature {
        let (amzDate, day) = AWSTimestamp.amzDate(date)
        let payloadHash = request.payload.hashValue
        var added = [HTTPHeader("X-Amz-Date", amzDate)]
        if options.addContentSHA256Header { added.append(HTTPHeader("X-Amz-Content-Sha256", payloadHash)) }
        if let token = credentials.sessionToken, options.signSessionToken {
            added.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        let signable = (request.headers + added).filter { !Self.unsignedHeaderNames.contains($0.name.lowercased()) }
        let (canonicalHeaders, signedHeaders) = SigV4Canonical.headers(signable)
        let canonicalRequest = [
            request.method,
            SigV4Canonical.uri(path: request.path, options: options),
            SigV4Canonical.query(request.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = Self.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(day: day, stringToSign: stringToSign)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        if let token = credentials.sessionToken, !options.signSessionToken {
            added.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        added.append(HTTPHeader("Authorization", authorization))
        return SigV4Signature(addedHeaders: added, query: request.query, canonicalRequest: canonicalRequest,
                              stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    /// Signs into the query string (a presigned URL valid for `expires` seconds).
    public func presign(_ request: SigV4Request, expires: Int, date: Date) -> SigV4Signature {
        let (amzDate, day) = AWSTimestamp.amzDate(date)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let signable = request.headers.filter { !Self.unsignedHeaderNames.contains($0.name.lowercased()) }
        let (canonicalHeaders, signedHeaders) = SigV4Canonical.headers(signable)
        var authItems: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedHeaders),
        ]
        if let token = credentials.sessionToken, options.signSessionToken {
            authItems.append(("X-Amz-Security-Token", token))
        }
        let encodedAuth = authItems.map { "\(AWSURIEncoding.encode($0.0))=\(AWSURIEncoding.encode($0.1))" }.joined(separator: "&")
        let queryToSign = request.query.isEmpty ? encodedAuth : request.query + "&" + encodedAuth
        let canonicalRequest = [
            request.method,
            SigV4Canonical.uri(path: request.path, options: options),
            SigV4Canonical.query(queryToSign),
            canonicalHeaders,
            signedHeaders,
            request.payload.hashValue,
        ].joined(separator: "\n")
        let stringToSign = Self.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(day: day, stringToSign: stringToSign)
        var finalQuery = queryToSign
        if let token = credentials.sessionToken, !options.signSessionToken {
            finalQuery += "&X-Amz-Security-Token=" + AWSURIEncoding.encode(token)
        }
        finalQuery += "&X-Amz-Signature=" + signature
        return SigV4Signature(addedHeaders: [], query: finalQuery, canonicalRequest: canonicalRequest,
                              stringToSign: stringToSign, signature: signature, authorization: nil)
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, Digests.sha256Hex(canonicalRequest)].joined(separator: "\n")
    }

    func signature(day: String, stringToSign: String) -> String {
        let dateKey = Digests.hmacSHA256(key: Data(("AWS4" + credentials.secretAccessKey).utf8), day)
        let regionKey = Digests.hmacSHA256(key: dateKey, region)
        let serviceKey = Digests.hmacSHA256(key: regionKey, service)
        let signingKey = Digests.hmacSHA256(key: serviceKey, "aws4_request")
        return Digests.hex(Digests.hmacSHA256(key: signingKey, stringToSign))
    }
}
