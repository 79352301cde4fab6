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

/// Walks a source directory without following symlinks, applies the filters and returns the
/// entries sorted bytewise by relative path: the order, and so the archive, never depends on
/// readdir order, the machine or how many threads walked. Only metadata is held in memory,
/// never file contents.
struct SourceTree: Sendable {
    static let ignoreFileName = ".slipwayignore"

    let root: String
    let filter: PathFilter
    /// Relative paths never packaged (the archive being written, when it lies inside the source).
    let skip: Set<String>
    /// Threads that walk subtrees at once: most of a walk is the kernel answering one `fstatat`
    /// per entry, which spreads over cores (an unchanged 20,000-file tree is fingerprinted on
    /// every push).
    var threads: Int = 1

    func entries() throws(ArchiveError) -> [SourceEntry] {
        let walked = try walkAll()
        var collected = walked.files
        let kept = filter.keepDirectories(walked.directories, forIncluded: collected.map(\.relativePath))
        collected += kept.map { SourceEntry(relativePath: $0, kind: .directory) }
        // Files and links already come in order (`walkOrder`, `walkAll`), so this sort only
        // merges the directories in: the standard library's sort finds the sorted runs and
        // merges them in linear time. Sorting indices moves machine words; sorting the entries
        // themselves moved whole entries (strings and a multi-payload enum).
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

    /// The order of a directory's children that makes the depth-first walk produce files and
    /// links in bytewise order of their relative paths: a directory sorts as its name followed by
    /// "/", the byte that comes next in every path beneath it (so `a.txt` comes before the
    /// contents of `a/`, as "a.txt" < "a/x"). Sorting each listing costs n·log(entries per
    /// directory) comparisons instead of n·log(n) for the whole tree at the end.
    static func walkOrder(_ a: (name: [UInt8], info: stat), _ b: (name: [UInt8], info: stat)) -> Bool {
        let common = min(a.name.count, b.name.count)
        let order = a.name.withUnsafeBufferPointer { left in
            b.name.withUnsafeBufferPointer { right in common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common) }
        }
        if order != 0 { return order < 0 }
        // One name is a prefix of the other (names in one directory differ): compare the byte
        // after the prefix, where a directory contributes "/" and a file or link ends (-1).
        func next(_ entry: (name: [UInt8], info: stat)) -> Int {
            entry.name.count > common ? Int(entry.name[common]) : (POSIX.isDirectory(entry.info) ? 0x2F : -1)
        }
        return next(a) < next(b)
    }

    /// What a walk found: files and links in path order, and the directories the filters kept.
    struct Walked {
        var files: [SourceEntry] = []
        var directories: [String] = []
    }

    /// A piece of the tree's output: one entry found while splitting, or a whole subtree.
    private enum Piece {
        case entry(SourceEntry)
        case subtree(Int)
    }

    /// With one thread, one depth-first walk. With more, the top levels are listed first, breadth
    /// first, until there are enough subtrees to share out; threads then walk whole subtrees,
    /// taking the next one as they finish; and the pieces are put back in path order (a subtree
    /// is a contiguous run of paths), so the result is the single walk's, entry for entry. A
    /// tree with several faults reports one of them, not necessarily the one a single walk meets first.
    private func walkAll() throws(ArchiveError) -> Walked {
        var splitting = Walked()
        var pieces: [(key: String, piece: Piece)] = []
        var frontier = [""]
        var depth = 0
        while threads > 1, !frontier.isEmpty, frontier.count < threads * 8, depth < 3 {
            var next: [String] = []
            for directory in frontier {
                var found = Walked()
                try visit(directory, into: &found) { subdirectory, _ throws(ArchiveError) in next.append(subdirectory) }
                splitting.directories += found.directories
                pieces += found.files.map { ($0.relativePath, .entry($0)) }
            }
            frontier = next
            depth += 1
        }
        if frontier == [""] {
            var walked = Walked()
            try walk("", into: &walked)
            return walked
        }
        // A subtree's paths all start with its path and "/", which no other piece's path does.
        pieces += frontier.indices.map { (frontier[$0] + "/", .subtree($0)) }
        let subtrees = try walkInParallel(frontier)
        var result = splitting
        for index in pieces.indices.sorted(by: { Self.bytewisePrecedes(pieces[$0].key, pieces[$1].key) }) {
            switch pieces[index].piece {
            case .entry(let entry): result.files.append(entry)
            case .subtree(let subtree):
                result.files += subtrees[subtree].files
                result.directories += subtrees[subtree].directories
            }
        }
        return result
    }

    /// Walks each subtree whole: this thread and up to `threads - 1` more, each taking the next
    /// subtree when done. The first failure in subtree order is thrown, so which error is
    /// reported does not depend on which thread got there first.
    private func walkInParallel(_ subtrees: [String]) throws(ArchiveError) -> [Walked] {
        let results = SubtreeResults(count: subtrees.count)
        let tree = self
        let work: @Sendable () -> Void = {
            while let index = results.claim() {
                var walked = Walked()
                do throws(ArchiveError) {
                    try tree.walk(subtrees[index], into: &walked)
                    results.store(index, .success(walked))
                } catch {
                    results.store(index, .failure(error))
                }
            }
        }
        // If the system refuses a thread, the ones running (this one at least) take its share.
        let helpers = (1..<max(1, min(threads, subtrees.count))).compactMap { _ in NativeThread.start(work) }
        work()
        helpers.forEach { $0.join() }
        return try results.outcomes().map { outcome throws(ArchiveError) in try outcome.get() }
    }

    /// Depth-first: each directory is entered where it sorts among its siblings.
    private func walk(_ relativeDirectory: String, into walked: inout Walked) throws(ArchiveError) {
        try visit(relativeDirectory, into: &walked) { subdirectory, walked throws(ArchiveError) in
            try walk(subdirectory, into: &walked)
        }
    }

    /// Lists one directory in walk order: files and links are appended to `walked.files`, and
    /// each directory the filters keep is added to `walked.directories` and handed to `enter` in
    /// its place.
    private func visit(_ relativeDirectory: String, into walked: inout Walked,
                       enter: (String, inout Walked) throws(ArchiveError) -> Void) throws(ArchiveError) {
        let absoluteDirectory = relativeDirectory.isEmpty ? root : root + "/" + relativeDirectory
        let listing = try POSIX.directoryEntriesWithStatus(absoluteDirectory)
        // Sorting indices moves machine words, not 144-byte stat records.
        for index in listing.indices.sorted(by: { Self.walkOrder(listing[$0], listing[$1]) }) {
            let (rawName, info) = listing[index]
            guard let name = String(validating: rawName, as: UTF8.self) else {
                throw .nameNotUTF8(path: relativeDirectory.isEmpty ? "." : relativeDirectory)
            }
            let relative = relativeDirectory.isEmpty ? name : relativeDirectory + "/" + name
            if skip.contains(relative) { continue }

            if POSIX.isDirectory(info) {
                guard !filter.excludes(relative, isDirectory: true) else { continue }
                walked.directories.append(relative)
                try enter(relative, &walked)
                continue
            }
            guard !filter.excludes(relative, isDirectory: false), filter.includes(relative) else { continue }

            if POSIX.isRegular(info) {
                let executable = (info.st_mode & 0o111) != 0
                walked.files.append(SourceEntry(relativePath: relative,
                                                kind: .file(size: Int64(info.st_size), executable: executable, stamp: FileStamp(info))))
            } else if POSIX.isSymlink(info) {
                let target = try POSIX.readLink(root + "/" + relative)
                try checkContained(symlink: relative, target: target)
                walked.files.append(SourceEntry(relativePath: relative, kind: .symlink(target: target)))
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

/// Subtrees handed out one at a time to the walking threads, and what each walk found.
private final class SubtreeResults: @unchecked Sendable {
    private let lock = ThreadLock()
    private var nextIndex = 0
    /// Every slot is filled once all threads are joined.
    private var slots: [Result<SourceTree.Walked, ArchiveError>]

    init(count: Int) { slots = Array(repeating: .success(SourceTree.Walked()), count: count) }

    /// The next subtree to walk, or nil when all are taken.
    func claim() -> Int? {
        lock.withLock {
            guard nextIndex < slots.count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func store(_ index: Int, _ outcome: Result<SourceTree.Walked, ArchiveError>) {
        lock.withLock { slots[index] = outcome }
    }

    func outcomes() -> [Result<SourceTree.Walked, ArchiveError>] { lock.withLock { slots } }
}
