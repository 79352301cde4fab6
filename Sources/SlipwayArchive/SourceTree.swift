#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing to put into the archive, with the metadata the archive will carry.
struct SourceEntry: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
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
struct FileStamp: Equatable, Sendable {
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

/// Walks a source directory without following symlinks, applies the filters and hands over the
/// entries one at a time, sorted bytewise by relative path: the order, and so the archive, never
/// depends on readdir order or the machine. Memory does not grow with the tree: the walk holds
/// the listings of the directories it is inside (one per level), never the whole tree, and never
/// file contents.
struct SourceTree: Sendable {
    static let ignoreFileName = ".slipwayignore"

    let root: String
    let filter: PathFilter
    /// Relative paths never packaged (the archive being written, when it lies inside the source).
    let skip: Set<String>
    /// With more than one, a second thread lists and stats the directories the walk will enter
    /// next (`ListingPrefetcher`) while this one filters, hashes or packs: most of a walk is
    /// the kernel answering one `fstatat` per entry (an unchanged 20,000-file tree is
    /// fingerprinted on every push).
    var threads: Int = 1

    /// Calls `body` with every entry, in bytewise order of relative paths. A fault (an
    /// unreadable directory, a FIFO, a link out of the tree) stops the walk at that entry.
    func forEachEntry(_ body: (SourceEntry) throws(ArchiveError) -> Void) throws(ArchiveError) {
        guard threads > 1 else {
            return try walk("", listings: { path throws(ArchiveError) in try sortedListing(path) }, body)
        }
        let prefetcher = ListingPrefetcher(tree: self)
        defer { prefetcher.stop() }
        try walk("", listings: { path throws(ArchiveError) in try prefetcher.next(path) }, body)
    }

    /// The files (and links) and file bytes the walk hands over.
    func totals() throws(ArchiveError) -> PackageTotals {
        var totals = PackageTotals()
        try forEachEntry { totals.count($0) }
        return totals
    }

    /// `left.lexicographicallyPrecedes(right)` with memcmp: the generic comparison was the
    /// largest single cost of ordering a tree of 20,000 files.
    static func precedes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let order = commonPrefixOrder(left, right)
        return order != 0 ? order < 0 : left.count < right.count
    }

    /// memcmp over the bytes both have: negative, zero (one is a prefix of the other) or positive.
    private static func commonPrefixOrder(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int32 {
        let common = min(left.count, right.count)
        return common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
    }

    /// A directory's entries with their lstat, sorted by `walkOrder`.
    typealias Listing = [(name: [UInt8], info: stat)]

    /// The order in which a directory's children are walked: a directory sorts as its name
    /// followed by "/", the byte that comes next in every path beneath it, so the depth-first
    /// walk meets files and links in bytewise order of their paths (`a.txt` before `a/x`,
    /// as "a.txt" < "a/x").
    static func walkOrder(_ a: (name: [UInt8], info: stat), _ b: (name: [UInt8], info: stat)) -> Bool {
        let order = a.name.withUnsafeBytes { left in b.name.withUnsafeBytes { right in commonPrefixOrder(left, right) } }
        if order != 0 { return order < 0 }
        let common = min(a.name.count, b.name.count)
        // One name is a prefix of the other (names in one directory differ): compare the byte
        // after the prefix, where a directory contributes "/" and a file or link ends (-1).
        func next(_ entry: (name: [UInt8], info: stat)) -> Int {
            entry.name.count > common ? Int(entry.name[common]) : (POSIX.isDirectory(entry.info) ? 0x2F : -1)
        }
        return next(a) < next(b)
    }

    func sortedListing(_ relativeDirectory: String) throws(ArchiveError) -> Listing {
        let listing = try POSIX.directoryEntriesWithStatus(absolute(relativeDirectory))
        // Sorting indices moves machine words, not 144-byte stat records.
        return listing.indices.sorted { Self.walkOrder(listing[$0], listing[$1]) }.map { listing[$0] }
    }

    func absolute(_ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }

    static func relative(_ name: String, in directory: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }

    /// Whether the walk enters this directory: the same test for the walk and for the prefetcher.
    func descends(into relative: String) -> Bool {
        !skip.contains(relative) && !filter.excludes(relative, isDirectory: true)
    }

    /// Whether a file or link at this path is packaged: the same test for the walk and for the
    /// include-glob scan that decides which directories are kept.
    private func packs(_ relative: String) -> Bool {
        !skip.contains(relative) && !filter.excludes(relative, isDirectory: false) && filter.includes(relative)
    }

    /// One directory, depth first. The listing is in walk order, where a directory's contents
    /// sort at "name/"; its own entry belongs at "name", which can come earlier (before a
    /// sibling `name.txt`). So the directories to hand over are picked out first, in plain name
    /// order, and each is handed over as soon as the walk reaches a name after its own.
    private func walk(_ relativeDirectory: String, listings: (String) throws(ArchiveError) -> Listing,
                      _ body: (SourceEntry) throws(ArchiveError) -> Void) throws(ArchiveError) {
        let listing = try listings(relativeDirectory)
        var pending = directoryEntries(of: listing, in: relativeDirectory)[...]
        func handOverDirectories(before key: [UInt8]?) throws(ArchiveError) {
            while let first = pending.first, key.map({ Self.namePrecedes(first.name, $0) }) ?? true {
                pending.removeFirst()
                try body(SourceEntry(relativePath: first.relative, kind: .directory))
            }
        }
        for (rawName, info) in listing {
            guard let name = String(validating: rawName, as: UTF8.self) else {
                throw .nameNotUTF8(path: relativeDirectory.isEmpty ? "." : relativeDirectory)
            }
            let relative = Self.relative(name, in: relativeDirectory)
            if POSIX.isDirectory(info) {
                guard descends(into: relative) else { continue }
                try handOverDirectories(before: rawName + [UInt8(ascii: "/")])
                try walk(relative, listings: listings, body)
                continue
            }
            guard packs(relative) else { continue }
            try handOverDirectories(before: rawName)

            if POSIX.isRegular(info) {
                let executable = (info.st_mode & 0o111) != 0
                try body(SourceEntry(relativePath: relative,
                                     kind: .file(size: Int64(info.st_size), executable: executable, stamp: FileStamp(info))))
            } else if POSIX.isSymlink(info) {
                let target = try POSIX.readLink(root + "/" + relative)
                try checkContained(symlink: relative, target: target)
                try body(SourceEntry(relativePath: relative, kind: .symlink(target: target)))
            } else {
                throw .unsupportedSourceFile(path: relative, kind: POSIX.kindName(info))
            }
        }
        try handOverDirectories(before: nil)
    }

    /// The directories of a listing that are entries of the archive, in plain name order.
    private func directoryEntries(of listing: Listing, in relativeDirectory: String) -> [(name: [UInt8], relative: String)] {
        var found: [(name: [UInt8], relative: String)] = []
        for (rawName, info) in listing where POSIX.isDirectory(info) {
            guard let name = String(validating: rawName, as: UTF8.self) else { continue }
            let relative = Self.relative(name, in: relativeDirectory)
            if descends(into: relative), keepsDirectory(relative) { found.append((rawName, relative)) }
        }
        return found.sorted { Self.namePrecedes($0.name, $1.name) }
    }

    /// Whether `a` comes before `b` bytewise (two names of one directory, or a name and a name + "/").
    private static func namePrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { left in b.withUnsafeBytes { right in precedes(left, right) } }
    }

    /// Every directory the walk enters is an entry, except with include globs: then only those
    /// that match one themselves or hold an included file or link somewhere beneath.
    private func keepsDirectory(_ relative: String) -> Bool {
        filter.include.isEmpty || filter.includes(relative) || holdsIncludedEntry(relative)
    }

    /// A scan that stops at the first included file or link. Faults are left to the walk, which
    /// meets every entry this scan skips.
    private func holdsIncludedEntry(_ relativeDirectory: String) -> Bool {
        guard let listing = try? POSIX.directoryEntriesWithStatus(absolute(relativeDirectory)) else { return false }
        var subdirectories: [String] = []
        for (rawName, info) in listing {
            guard let name = String(validating: rawName, as: UTF8.self) else { continue }
            let relative = Self.relative(name, in: relativeDirectory)
            if POSIX.isDirectory(info) {
                if descends(into: relative) { subdirectories.append(relative) }
            } else if packs(relative) {
                return true
            }
        }
        return subdirectories.contains { holdsIncludedEntry($0) }
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
