import Foundation

/// Where revisions, deployment records and locks live: a folder (`file://`) or an S3 bucket
/// (`s3://`). Both implementations pass the same test suite (StoreContractTests).
/// Keys are slash-separated relative paths such as `revisions/<sha256>.tar.gz`.
public protocol ArtifactStore: Sendable {
    /// `file:///abs/path` or `s3://bucket/prefix`, for messages.
    var location: String { get }

    /// Size and version tag of `key`, or nil when it does not exist.
    func head(_ key: String) async throws(StoreError) -> StoredObject?
    /// The content of `key` with its version tag, or nil when it does not exist.
    func get(_ key: String) async throws(StoreError) -> (data: Data, object: StoredObject)?
    /// Writes `data` to `key`. `.ifAbsent` creates only (locks); `.ifMatch(tag)` replaces only
    /// the version the caller read (compare-and-swap). A failed condition is `preconditionFailed`.
    @discardableResult
    func put(_ key: String, data: Data, condition: WriteCondition) async throws(StoreError) -> StoredObject
    /// Uploads a local file, streaming (multipart on S3 above a threshold), integrity-checked.
    /// `sha256` (hex), when the caller knows the file's digest (a revision archive is named by
    /// it), lets a store that verifies uploads check the bytes against it with no hashing pass
    /// of its own (S3 signs it as the payload hash); the file store, a local copy, ignores it.
    @discardableResult
    func putFile(_ key: String, path: String, sha256: String?) async throws(StoreError) -> StoredObject
    /// Downloads `key` into a local file (written to a temporary sibling, renamed when complete).
    func getFile(_ key: String, to path: String) async throws(StoreError)
    /// Keys under `prefix`, sorted.
    func list(prefix: String) async throws(StoreError) -> [String]
    /// Removes `key`; removing a missing key is not an error.
    func delete(_ key: String) async throws(StoreError)
}

public struct StoredObject: Sendable, Equatable {
    public var size: Int64
    /// Changes whenever the content changes; what `.ifMatch` compares.
    public var tag: String

    public init(size: Int64, tag: String) {
        self.size = size
        self.tag = tag
    }
}

public enum WriteCondition: Sendable, Equatable {
    case none
    case ifAbsent
    case ifMatch(String)
}

public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case preconditionFailed(key: String)
    case notFound(key: String)
    case invalidKey(String)
    case io(operation: String, path: String, message: String)
    case remote(String)

    public var description: String {
        switch self {
        case .preconditionFailed(let key): "\(key) was changed or created by someone else"
        case .notFound(let key): "\(key) does not exist in the store"
        case .invalidKey(let key): "\"\(key)\" is not a valid store key"
        case .io(let operation, let path, let message): "cannot \(operation) \(path): \(message)"
        case .remote(let message): message
        }
    }
}

enum StoreKey {
    /// Keys are relative, slash-separated, without `.`/`..` segments or empty parts: a key can
    /// never name a path outside the store.
    static func check(_ key: String) throws(StoreError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !key.contains("\0") else {
            throw .invalidKey(key)
        }
    }
}

extension ArtifactStore {
    /// A file whose digest the caller does not know.
    @discardableResult
    public func putFile(_ key: String, path: String) async throws(StoreError) -> StoredObject {
        try await putFile(key, path: path, sha256: nil)
    }
}
