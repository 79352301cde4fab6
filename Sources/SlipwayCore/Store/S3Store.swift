import Foundation
import SlipwayAWS

/// A store in an S3 bucket (or any S3-compatible server) under a key prefix. Conditional writes
/// map onto S3's `If-None-Match: *` and `If-Match: <etag>`; the version tag is the ETag.
public struct S3Store: ArtifactStore {
    public let bucket: String
    public let prefix: String
    let s3: S3Client

    /// `region` and `endpoint` come from the pipeline's store settings and override the
    /// environment's (`AWS_REGION`, `AWS_ENDPOINT_URL[_S3]`); credentials follow the standard chain.
    public init(bucket: String, prefix: String, region: String?, endpoint: String?, environment: [String: String],
                transferOptions: S3TransferOptions = S3TransferOptions()) throws {
        var variables = environment
        if let endpoint { variables["AWS_ENDPOINT_URL_S3"] = endpoint }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let client = try AWSClient.standard(environment: AWSEnvironment(variables: variables, homeDirectory: home), region: region)
        self.init(bucket: bucket, prefix: prefix, client: S3Client(client: client, transferOptions: transferOptions))
    }

    public init(bucket: String, prefix: String, client: S3Client) {
        self.bucket = bucket
        self.prefix = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.s3 = client
    }

    public var location: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    func objectKey(_ key: String) throws(StoreError) -> String {
        try StoreKey.check(key)
        return prefix.isEmpty ? key : prefix + "/" + key
    }

    public func head(_ key: String) async throws(StoreError) -> StoredObject? {
        let objectKey = try objectKey(key)
        return try await remote {
            try await s3.headObject(bucket: bucket, key: objectKey).map { StoredObject(size: $0.contentLength, tag: $0.etag) }
        }
    }

    public func get(_ key: String) async throws(StoreError) -> (data: Data, object: StoredObject)? {
        let objectKey = try objectKey(key)
        return try await remote {
            do {
                let (data, info) = try await s3.getObject(bucket: bucket, key: objectKey)
                return (data, StoredObject(size: Int64(data.count), tag: info.etag))
            } catch let error as AWSError where error.status == 404 {
                return nil
            }
        }
    }

    @discardableResult
    public func put(_ key: String, data: Data, condition: WriteCondition) async throws(StoreError) -> StoredObject {
        let objectKey = try objectKey(key)
        let result = try await remote(key) {
            do {
                return try await s3.putObject(bucket: bucket, key: objectKey, body: data, contentType: "application/octet-stream",
                                              condition: condition.s3)
            } catch let error as AWSError where error.status == 404 && condition != .none {
                // S3 answers If-Match on a missing key with 404 NoSuchKey: the version the caller
                // read is gone, which is a lost compare-and-swap like any other.
                throw StoreError.preconditionFailed(key: key)
            }
        }
        return StoredObject(size: Int64(data.count), tag: result.etag)
    }

    @discardableResult
    public func putFile(_ key: String, path: String, sha256: String?) async throws(StoreError) -> StoredObject {
        let objectKey = try objectKey(key)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
        guard let size else { throw .io(operation: "read", path: path, message: "no such file") }
        let result = try await remote(key) {
            try await s3.uploadFile(bucket: bucket, key: objectKey, file: URL(fileURLWithPath: path), sha256Hex: sha256)
        }
        return StoredObject(size: size, tag: result.etag)
    }

    public func getFile(_ key: String, to destination: String) async throws(StoreError) {
        let objectKey = try objectKey(key)
        let partial = destination + ".partial-\(getpid())"
        try await remote {
            do {
                try await s3.getObject(bucket: bucket, key: objectKey, to: URL(fileURLWithPath: partial))
            } catch let error as AWSError where error.status == 404 {
                throw StoreError.notFound(key: key)
            }
        }
        guard rename(partial, destination) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(partial)
            throw .io(operation: "rename", path: destination, message: message)
        }
    }

    public func list(prefix listPrefix: String) async throws(StoreError) -> [String] {
        let base = prefix.isEmpty ? "" : prefix + "/"
        return try await remote {
            try await s3.listAllObjects(bucket: bucket, prefix: base + listPrefix).map { String($0.key.dropFirst(base.count)) }.sorted()
        }
    }

    public func delete(_ key: String) async throws(StoreError) {
        let objectKey = try objectKey(key)
        try await remote { try await s3.deleteObject(bucket: bucket, key: objectKey) }
    }

    /// Runs an S3 call, turning its errors into the store's: a lost condition into
    /// `preconditionFailed`, anything else into `remote` with the AWS message.
    private func remote<T>(_ key: String? = nil, _ body: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch S3Error.preconditionFailed {
            throw .preconditionFailed(key: key ?? "")
        } catch {
            throw .remote("\(location): \(error)")
        }
    }
}

extension WriteCondition {
    var s3: S3WriteCondition {
        switch self {
        case .none: .none
        case .ifAbsent: .ifNoneMatch
        case .ifMatch(let tag): .ifMatch(tag)
        }
    }
}
