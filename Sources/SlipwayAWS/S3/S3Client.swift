import Crypto
import Foundation

/// The S3 operations Slipway's artifact store and locks need.
public struct S3Client: Sendable {
    public let client: AWSClient
    public var transferOptions: S3TransferOptions

    public init(client: AWSClient, transferOptions: S3TransferOptions = S3TransferOptions()) {
        self.client = client
        self.transferOptions = transferOptions
    }

    // MARK: Buckets

    /// Creates a bucket in the client's region (outside us-east-1 a LocationConstraint is required).
    public func createBucket(_ bucket: String) async throws {
        let region = client.configuration.region
        var body = AWSRequestBody.empty
        if region != "us-east-1" {
            let xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>"
            body = .data(Data(xml.utf8), contentType: "application/xml")
        }
        _ = try await client.send(request("CreateBucket", "PUT", bucket: bucket, key: nil, body: body))
    }

    // MARK: Objects

    /// Stores `body` with an integrity checksum the server verifies, optionally conditionally.
    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String = "application/octet-stream",
                          checksum: S3Checksum = .md5, condition: S3WriteCondition = .none,
                          metadata: [String: String] = [:]) async throws -> S3PutResult {
        var headers = Self.checksumHeaders(body, checksum) + Self.metadataHeaders(metadata)
        if let conditionHeader = condition.header { headers.append(conditionHeader) }
        let response = try await conditional(bucket: bucket, key: key) {
            try await client.send(request("PutObject", "PUT", bucket: bucket, key: key, headers: headers,
                                          body: .data(body, contentType: contentType)))
        }
        return S3PutResult(etag: response[header: "etag"] ?? "", versionId: response[header: "x-amz-version-id"], partCount: nil)
    }

    /// The whole object in memory with its metadata; throws `AWSError` (code `NoSuchKey`) if missing.
    public func getObject(bucket: String, key: String) async throws -> (data: Data, info: S3ObjectInfo) {
        let response = try await client.send(request("GetObject", "GET", bucket: bucket, key: key))
        return (response.body, S3ObjectInfo(headers: response.headers))
    }

    /// Streams the object into `file` (replacing it) without holding it in memory.
    @discardableResult
    public func getObject(bucket: String, key: String, to file: URL) async throws -> S3ObjectInfo {
        let response = try await client.download(request("GetObject", "GET", bucket: bucket, key: key), to: file)
        return S3ObjectInfo(headers: response.headers)
    }

    /// Metadata, or nil if the object does not exist.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo? {
        do {
            let response = try await client.send(request("HeadObject", "HEAD", bucket: bucket, key: key))
            return S3ObjectInfo(headers: response.headers)
        } catch let error as AWSError where error.status == 404 {
            return nil
        }
    }

    /// Deletes the object; deleting a missing key succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await client.send(request("DeleteObject", "DELETE", bucket: bucket, key: key))
    }

    /// One page of keys under `prefix`.
    public func listObjectsV2(bucket: String, prefix: String? = nil, delimiter: String? = nil,
                              continuationToken: String? = nil, maxKeys: Int? = nil) async throws -> S3ListPage {
        var query = [AWSQueryItem("list-type", "2")]
        if let prefix { query.append(AWSQueryItem("prefix", prefix)) }
        if let delimiter { query.append(AWSQueryItem("delimiter", delimiter)) }
        if let continuationToken { query.append(AWSQueryItem("continuation-token", continuationToken)) }
        if let maxKeys { query.append(AWSQueryItem("max-keys", String(maxKeys))) }
        let response = try await client.send(request("ListObjectsV2", "GET", bucket: bucket, key: nil, query: query))
        let root = try response.xml()
        let objects = root.children("Contents").map {
            S3ObjectSummary(key: $0["Key"] ?? "", size: Int64($0["Size"] ?? "") ?? 0, etag: $0["ETag"] ?? "", lastModified: $0["LastModified"] ?? "")
        }
        let prefixes = root.children("CommonPrefixes").compactMap { $0["Prefix"] }
        let truncated = root["IsTruncated"] == "true"
        return S3ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: truncated ? root["NextContinuationToken"] : nil)
    }

    /// Every object under `prefix`, following continuation tokens.
    public func listAllObjects(bucket: String, prefix: String? = nil, pageSize: Int? = nil) async throws -> [S3ObjectSummary] {
        var all: [S3ObjectSummary] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return all
    }

    // MARK: Presigned URLs

    /// A URL anyone can GET (or PUT to) without credentials until it expires.
    public func presignedURL(method: String = "GET", bucket: String, key: String, expires: Int = 3600) async throws -> URL {
        var presign = request(method == "PUT" ? "PutObject" : "GetObject", method, bucket: bucket, key: key)
        presign.payloadSigning = .unsigned
        return try await client.presignedURL(for: presign, expires: expires)
    }

    // MARK: Request building

    func request(_ operation: String, _ method: String, bucket: String, key: String?, query: [AWSQueryItem] = [],
                 headers: [HTTPHeader] = [], body: AWSRequestBody = .empty) -> AWSRequest {
        let endpoint = try? client.configuration.endpoint(for: .s3)
        // Dotted bucket names break TLS wildcard certificates in virtual-hosted style.
        let pathStyle = endpoint?.usesPathStyle ?? true || bucket.contains(".")
        let keyPath = key.map { "/" + $0 } ?? "/"
        return AWSRequest(service: .s3, operation: operation, method: method,
                          path: pathStyle ? "/" + bucket + keyPath : keyPath,
                          query: query, headers: headers, body: body, hostPrefix: pathStyle ? nil : bucket + ".")
    }

    /// Runs a conditional write, turning HTTP 412 into `S3Error.preconditionFailed`.
    func conditional(bucket: String, key: String, _ operation: () async throws -> AWSResponse) async throws -> AWSResponse {
        do {
            return try await operation()
        } catch let error as AWSError where error.status == 412 {
            throw S3Error.preconditionFailed(bucket: bucket, key: key, underlying: error)
        }
    }

    static func checksumHeaders(_ body: Data, _ checksum: S3Checksum) -> [HTTPHeader] {
        switch checksum {
        case .md5: return [HTTPHeader("Content-MD5", Data(Insecure.MD5.hash(data: body)).base64EncodedString())]
        case .sha256: return [HTTPHeader("x-amz-checksum-sha256", Data(SHA256.hash(data: body)).base64EncodedString())]
        case .crc32: return [HTTPHeader("x-amz-checksum-crc32", CRC32.base64(body))]
        case .none: return []
        }
    }

    static func metadataHeaders(_ metadata: [String: String]) -> [HTTPHeader] {
        metadata.sorted { $0.key < $1.key }.map { HTTPHeader("x-amz-meta-" + $0.key, $0.value) }
    }
}
