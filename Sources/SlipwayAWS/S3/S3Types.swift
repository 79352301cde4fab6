import Foundation

/// How a PutObject proves its bytes to the server, which rejects a body that does not match.
public enum S3Checksum: Sendable, Hashable {
    /// `Content-MD5`: understood by every S3-compatible store.
    case md5
    /// `x-amz-checksum-sha256` (flexible checksums; stored and returned by AWS).
    case sha256
    /// `x-amz-checksum-crc32`.
    case crc32
    /// Rely on the signed payload hash alone.
    case none
}

/// Conditional writes, the basis of store locks and compare-and-swap records.
public enum S3WriteCondition: Sendable, Hashable {
    case none
    /// `If-None-Match: *`: fail with `S3Error.preconditionFailed` if the key exists.
    case ifNoneMatch
    /// `If-Match: <etag>`: fail with `S3Error.preconditionFailed` unless the current ETag matches.
    case ifMatch(String)

    var header: HTTPHeader? {
        switch self {
        case .none: return nil
        case .ifNoneMatch: return HTTPHeader("If-None-Match", "*")
        case .ifMatch(let etag): return HTTPHeader("If-Match", etag)
        }
    }
}

public enum S3Error: Error, Sendable, CustomStringConvertible {
    /// A conditional write lost: the object exists (`ifNoneMatch`) or changed (`ifMatch`).
    case preconditionFailed(bucket: String, key: String, underlying: AWSError)
    /// A 200 response whose body is not what the operation returns (S3 can report a
    /// CompleteMultipartUpload failure inside a 200).
    case unexpectedResponse(operation: String, detail: String)

    public var description: String {
        switch self {
        case .preconditionFailed(let bucket, let key, let underlying):
            return "s3://\(bucket)/\(key): precondition failed (\(underlying.code)); the object exists or changed"
        case .unexpectedResponse(let operation, let detail):
            return "S3 \(operation) returned an unexpected response: \(detail)"
        }
    }
}

/// Metadata of a stored object (HeadObject / GetObject).
public struct S3ObjectInfo: Sendable, Equatable {
    public var contentLength: Int64
    /// Quoted, as S3 returns it; pass it unchanged to `S3WriteCondition.ifMatch`.
    public var etag: String
    public var contentType: String?
    public var lastModified: String?
    public var versionId: String?
    /// `x-amz-meta-*` headers, names without the prefix.
    public var metadata: [String: String]

    init(headers: [String: String]) {
        contentLength = Int64(headers["content-length"] ?? "") ?? 0
        etag = headers["etag"] ?? ""
        contentType = headers["content-type"]
        lastModified = headers["last-modified"]
        versionId = headers["x-amz-version-id"]
        var metadata: [String: String] = [:]
        for (name, value) in headers where name.hasPrefix("x-amz-meta-") {
            metadata[String(name.dropFirst("x-amz-meta-".count))] = value
        }
        self.metadata = metadata
    }
}

public struct S3PutResult: Sendable, Equatable {
    public var etag: String
    public var versionId: String?
    /// Number of parts for a multipart upload, nil for a single PUT.
    public var partCount: Int?
}

/// One uploaded part of a multipart upload: what CompleteMultipartUpload must repeat.
public struct S3UploadedPart: Sendable, Hashable {
    public var etag: String
    /// Base64 of the part's big-endian CRC32, as sent in `x-amz-checksum-crc32`.
    public var checksumCRC32: String

    public init(etag: String, checksumCRC32: String) {
        self.etag = etag
        self.checksumCRC32 = checksumCRC32
    }
}

public struct S3ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    public var lastModified: String
}

public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3ObjectSummary]
    public var commonPrefixes: [String]
    /// Pass to the next `listObjectsV2` call; nil on the last page.
    public var nextContinuationToken: String?
}

/// When and how files are uploaded in parts.
public struct S3TransferOptions: Sendable, Equatable {
    /// Files larger than this use multipart upload. The default, 100 MiB, is where AWS's S3
    /// guide says to consider multipart ("when your object size reaches 100 MB"): below it one
    /// request does, and a revision archive's single PUT needs no hashing pass (its SHA-256,
    /// the revision id, is signed as the payload hash). aws-cli's 8 MiB splits a 20 MB archive
    /// into three parts plus two requests to start and complete them.
    public var multipartThreshold: Int
    /// The default `multipartThreshold`.
    public static let defaultMultipartThreshold = 100 << 20
    /// Part size (S3 needs at least 5 MiB for every part but the last; grown automatically
    /// to stay under 10,000 parts).
    public var partSize: Int
    /// Parts uploaded at once (each on a connection of its own).
    public var maxConcurrentParts: Int

    /// Bodies are streamed from the file, so memory does not depend on these: per part in
    /// flight, libcurl's 512 KiB upload buffer and a 1 MiB buffer for the checksum pass.
    /// Two parts in flight keep both cores of a small machine busy (hashing and sending).
    public init(multipartThreshold: Int = Self.defaultMultipartThreshold, partSize: Int = 8 << 20, maxConcurrentParts: Int = 2) {
        self.multipartThreshold = multipartThreshold
        self.partSize = max(partSize, 5 << 20)
        self.maxConcurrentParts = max(1, maxConcurrentParts)
    }
}
