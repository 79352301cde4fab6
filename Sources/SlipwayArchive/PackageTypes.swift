/// How to package a source tree.
public struct PackageOptions: Sendable, Equatable {
    /// Archive format; `.tgz` by default because CodeDeploy bundles are tar.gz.
    public var format: ArchiveFormat
    /// Globs on the relative path (see `GlobPattern`). When non-empty, only files and symlinks
    /// matching one of them are packaged (plus the directories leading to them).
    public var include: [String]
    /// Globs on the relative path; a matching directory is pruned with everything below it.
    public var exclude: [String]
    /// nil uses `format.defaultCompressionLevel` (gzip 6 like `tar czf`, zstd 3).
    public var compressionLevel: Int?
    /// Read `.slipwayignore` at the source root (gitignore syntax) when it exists.
    public var useIgnoreFile: Bool
    /// Threads for walking the tree and, for tgz, compressing (tzst always compresses on one thread of its own, see ZstdStreamWriter); nil uses every active core. Any value gives the
    /// same bytes (values below 1 count as 1).
    public var threads: Int?

    public init(format: ArchiveFormat = .tgz, include: [String] = [], exclude: [String] = [],
                compressionLevel: Int? = nil, useIgnoreFile: Bool = true, threads: Int? = nil) {
        self.format = format
        self.include = include
        self.exclude = exclude
        self.compressionLevel = compressionLevel
        self.useIgnoreFile = useIgnoreFile
        self.threads = threads
    }
}

/// What `Packager.package` produced.
public struct PackageResult: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the archive bytes, computed while writing.
    public let sha256: String
    /// Archive size in bytes.
    public let size: Int64
    /// Regular files and symlinks packaged (directories not counted).
    public let fileCount: Int
    /// Directories packaged (the root itself is never an entry).
    public let directoryCount: Int
    public let format: ArchiveFormat
}

/// Progress of a packaging run, reported at most every `Packager.progressInterval` seconds
/// plus once at the very end (where `filesDone == filesTotal`).
/// How many files (and links) a tree holds and how many bytes its files hold.
public struct PackageTotals: Sendable, Hashable {
    public var files = 0
    public var bytes: Int64 = 0

    public init(files: Int = 0, bytes: Int64 = 0) {
        self.files = files
        self.bytes = bytes
    }
}

extension PackageTotals {
    /// Adds one walked entry: files and links count, and files' bytes.
    mutating func count(_ entry: SourceEntry) {
        switch entry.kind {
        case .directory: break
        case .file(let size, _, _): files += 1; bytes += size
        case .symlink: files += 1
        }
    }
}

/// A tree's fingerprint (see `Packager.fingerprint`) and what the same walk counted.
public struct TreeFingerprint: Sendable, Hashable {
    /// Hex SHA-256: equal digests mean an unchanged tree.
    public let digest: String
    public let totals: PackageTotals
}

public struct PackageProgress: Sendable, Equatable {
    public let filesDone: Int
    public let filesTotal: Int
    /// Source bytes read so far (uncompressed).
    public let bytesDone: Int64
    public let bytesTotal: Int64
}
