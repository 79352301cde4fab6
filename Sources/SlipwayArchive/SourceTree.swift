#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing to put into the archive, with the metadata the archive will carry.
struct SourceEntry: Equatable {
    enum Kind: Equatable {
        case directory
        /// `stamp`: the walk's lstat, which the fingerprint records.
        case file(size: Int64, executable: Bool, stamp: FileStamp)
        case symlink(target: String)
    }
    let relativePath: String
    let kind: Kind
}

/// What the fingerprint records of a file's lstat: any edit, touch, chmod or replacement
/// changes one of these.
struct FileStamp: Equatable {
    let inode: UInt64
    let mode: UInt32
    let size: Int64
    let modified: (seconds: Int, nanoseconds: Int)
    let changed: (seconds: Int, nanoseconds: Int)

    init(_ info: stat) {
        inode = UInt64(info.st_ino)
        mode = UInt32(info.st_mode)
        size = Int64(info.st_size)
        modified = (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec))
        changed = (Int(info.st_ctim.tv_sec), Int(info.st_ctim.tv_nsec))
    }

    static func == (left: FileStamp, right: FileStamp) -> Bool {
        left.inode == right.inode && left.mode == right.mode && left.size == right.size
            && left.modified == right.modified && left.changed == right.changed
    }
}

/// Walks a source directory without following symlinks, applies the filters and returns the
/// entries sorted bytewise by relative path: the order, and so the archive, never depends on
/// readdir order or the machine. Only metadata is held in memory, never file contents.
struct SourceTree {
    static let ignoreFileName = ".slipwayignore"

    let root: String
    let filter: PathFilter
    /// Relative paths never packaged (the archive being written, when it lies inside the source).
    let skip: Set<String>

    func entries() throws(ArchiveError) -> [SourceEntry] {
        var collected: [SourceEntry] = []
        var directories: [String] = []
        try walk(relativeDirectory: "", into: &collected, directories: &directories)
        let kept = filter.keepDirectories(directories, forIncluded: collected.map(\.relativePath))
        collected += kept.map { SourceEntry(relativePath: $0, kind: .directory) }
        // Sorting indices moves machine words; sorting the entries themselves moved whole
        // entries (strings and a multi-payload enum), a sixth of fingerprinting a large tree.
        let order = collected.indices.sorted { Self.bytewisePrecedes(collected[$0].relativePath, collected[$1].relativePath) }
        return order.map { collected[$0] }
    }

    /// `a.utf8.lexicographicallyPrecedes(b.utf8)` with memcmp: the generic comparison was the
    /// largest single cost of fingerprinting an unchanged tree of 20,000 files.
    static func bytewisePrecedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { left in
            b.withUTF8 { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }

    private func walk(relativeDirectory: String, into collected: inout [SourceEntry],
                      directories: inout [String]) throws(ArchiveError) {
        let absoluteDirectory = relativeDirectory.isEmpty ? root : root + "/" + relativeDirectory
        for (rawName, info) in try POSIX.directoryEntriesWithStatus(absoluteDirectory) {
            guard let name = String(validating: rawName, as: UTF8.self) else {
                throw .nameNotUTF8(path: relativeDirectory.isEmpty ? "." : relativeDirectory)
            }
            let relative = relativeDirectory.isEmpty ? name : relativeDirectory + "/" + name
            if skip.contains(relative) { continue }
            let absolute = root + "/" + relative

            if POSIX.isDirectory(info) {
                guard !filter.excludes(relative, isDirectory: true) else { continue }
                directories.append(relative)
                try walk(relativeDirectory: relative, into: &collected, directories: &directories)
                continue
            }
            guard !filter.excludes(relative, isDirectory: false), filter.includes(relative) else { continue }

            if POSIX.isRegular(info) {
                let executable = (info.st_mode & 0o111) != 0
                collected.append(SourceEntry(relativePath: relative,
                                             kind: .file(size: Int64(info.st_size), executable: executable, stamp: FileStamp(info))))
            } else if POSIX.isSymlink(info) {
                let target = try POSIX.readLink(absolute)
                try checkContained(symlink: relative, target: target)
                collected.append(SourceEntry(relativePath: relative, kind: .symlink(target: target)))
            } else {
                throw .unsupportedSourceFile(path: relative, kind: POSIX.kindName(info))
            }
        }
    }

    private func checkContained(symlink relative: String, target: String) throws(ArchiveError) {
        let inside = SymlinkContainment.staysInside(linkPath: relative, target: target) { path in
            let absolute = root + "/" + path
            guard let info = POSIX.lstat(absolute), POSIX.isSymlink(info) else { return nil }
            return try? POSIX.readLink(absolute)
        }
        if !inside { throw .symlinkEscapesSource(path: relative, target: target) }
    }
}
