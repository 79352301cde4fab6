import Foundation
import SlipwayArchive

/// A packaged revision: the archive's SHA-256 names it; the metadata says where it came from.
public struct RevisionMetadata: Codable, Sendable, Equatable {
    public var sha256: String
    public var pipeline: String
    public var format: ArchiveFormat
    public var size: Int64
    public var fileCount: Int
    /// The commit of the repository the revision was packaged from, when there is one.
    public var gitCommit: String?
    public var createdAt: Date
    /// Where the archive sits in the store.
    public var key: String

    public init(sha256: String, pipeline: String, format: ArchiveFormat, size: Int64, fileCount: Int,
                gitCommit: String?, createdAt: Date, key: String) {
        self.sha256 = sha256
        self.pipeline = pipeline
        self.format = format
        self.size = size
        self.fileCount = fileCount
        self.gitCommit = gitCommit
        self.createdAt = createdAt
        self.key = key
    }

    /// The short form people read: the first 12 hex digits, as git shows commits.
    public var shortID: String { String(sha256.prefix(12)) }
}

/// Where revisions live in a store. Archives are content-addressed and shared by pipelines
/// (the same bytes are stored once); each pipeline keeps its own metadata records.
public enum RevisionLayout {
    public static func archiveKey(sha256: String, format: ArchiveFormat) -> String {
        "revisions/\(sha256).\(format.fileExtension)"
    }

    public static func metadataPrefix(pipeline: String) -> String {
        "pipelines/\(pipeline)/revisions/"
    }

    public static func metadataKey(pipeline: String, sha256: String) -> String {
        metadataPrefix(pipeline: pipeline) + "\(sha256).json"
    }
}

extension ArchiveFormat {
    init(_ format: RevisionSpec.Format) {
        switch format {
        case .tgz: self = .tgz
        case .tar: self = .tar
        case .zip: self = .zip
        case .tzst: self = .tzst
        }
    }
}

enum RevisionJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
