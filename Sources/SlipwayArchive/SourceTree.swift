#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing to put into the archive, with the metadata the archive will carry.
struct SourceEntry: Equatable {
    enum Kind: Equatable {
        case directory
        case file(size: Int64, executable: Bool)
        case symlink(target: String)
    }
    let relativePath: String
    let kind: Kind
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
        collected.sort { Self.bytewisePrecedes($0.relativePath, $1.relativePath) }
        return collected
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
        for rawName in try POSIX.directoryEntries(absoluteDirectory) {
            guard let name = String(validating: rawName, as: UTF8.self) else {
                throw .nameNotUTF8(path: relativeDirectory.isEmpty ? "." : relativeDirectory)
            }
            let relative = relativeDirectory.isEmpty ? name : relativeDirectory + "/" + name
            if skip.contains(relative) { continue }
            let absolute = root + "/" + relative
            let info = try POSIX.requireLstat(absolute)

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
                                             kind: .file(size: Int64(info.st_size), executable: executable)))
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
