/// Bounds on what an archive may expand to: the zip-bomb defence.
public struct ExtractionLimits: Sendable, Equatable {
    /// Total expanded bytes of all entries.
    public var maxBytes: Int64
    /// Entries of any kind.
    public var maxEntries: Int
    /// Expanded bytes per packed byte, enforced once the expansion exceeds `ratioFloorBytes`
    /// (tiny archives of small text files legitimately compress very well).
    public var maxRatio: Int
    public var ratioFloorBytes: Int64

    public init(maxBytes: Int64 = 4 << 30, maxEntries: Int = 250_000, maxRatio: Int = 200,
                ratioFloorBytes: Int64 = 16 << 20) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxRatio = maxRatio
        self.ratioFloorBytes = ratioFloorBytes
    }

    public static let `default` = ExtractionLimits()
}

public enum EntryKind: String, Sendable, Equatable {
    case file, directory, symlink, hardLink
}

/// One archive entry as it passed the safety rules. `path` is normalized: relative, without
/// `.` components or trailing slash.
public struct EntryInfo: Sendable, Equatable {
    public let path: String
    public let kind: EntryKind
    /// Declared size in bytes (0 for directories and symlinks).
    public let size: Int64
    /// Permission bits as they will be extracted (setuid, setgid and sticky are dropped).
    public let permissions: UInt32
    /// Symlink target, or hard link target (normalized), nil otherwise.
    public let linkTarget: String?
}

/// What `SafeExtractor.extract` or `validate` saw.
public struct ArchiveSummary: Sendable, Equatable {
    public let entryCount: Int
    public let expandedBytes: Int64
    public let packedBytes: Int64
}
