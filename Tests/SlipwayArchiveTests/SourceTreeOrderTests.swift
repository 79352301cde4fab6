import Foundation
@testable import SlipwayArchive
import Testing

/// The archive's entry order is bytewise by relative path; the fast comparison must agree with
/// the plain definition on every pair, prefixes and non-ASCII names included.
@Suite struct SourceTreeOrderTests {
    @Test func memcmpOrderAgreesWithTheBytewiseDefinition() {
        let names = ["", "a", "a-b", "a/x", "a/x/y", "a.b", "ab", "B", "b", "é", "e\u{301}", "z/é/1", "z/e", "日本", "a\u{0}b",
                     "dir/file-10", "dir/file-9", "dir/file", "~", "Ä/x"]
        for left in names {
            for right in names {
                let expected = left.utf8.lexicographicallyPrecedes(right.utf8)
                let fast = Array(left.utf8).withUnsafeBytes { l in Array(right.utf8).withUnsafeBytes { r in SourceTree.precedes(l, r) } }
                #expect(fast == expected, "\(left.debugDescription) < \(right.debugDescription)")
            }
        }
    }
}

@Suite("Walk order")
struct WalkOrderTests {
    /// Names that sort differently as "name" and as "name/": '-' and '.' come before '/',
    /// '0' and letters after it, and a name can be a prefix of its sibling's.
    static let names = ["a", "a-", "a.b", "a.txt", "a0", "ab", "b", "é", "A"]

    @Test("siblings sort as a directory's name followed by \"/\"")
    func siblingsSortAsPathsBeneathThem() {
        for left in Self.names {
            for right in Self.names where left != right {
                for (leftIsDirectory, rightIsDirectory) in [(false, false), (true, false), (false, true), (true, true)] {
                    let leftKey = left + (leftIsDirectory ? "/" : ""), rightKey = right + (rightIsDirectory ? "/" : "")
                    #expect(SourceTree.walkOrder(Self.entry(left, leftIsDirectory), Self.entry(right, rightIsDirectory))
                            == leftKey.utf8.lexicographicallyPrecedes(rightKey.utf8), "\(leftKey) < \(rightKey)")
                }
            }
        }
    }

    /// Files in directories whose names make the walk order and the path order disagree if the
    /// walk sorted plain names: the result is in bytewise path order either way.
    @Test("a tree of tricky names comes out in bytewise path order")
    func treeComesOutSorted() throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        for directory in ["a", "a.b", "a-", "ab", "a/b", "a/b.c"] {
            try tree.file(directory + "/f", "x").file(directory + "/g.txt", "y")
        }
        for file in ["a.txt", "a0", "a/b-", "a/b0", "b"] { try tree.file(file, "z") }
        let paths = try SourceTree(root: tree.root, filter: Packager.makeFilter(root: tree.root, options: PackageOptions()), skip: [])
            .entries().map(\.relativePath)
        #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(Set(paths).count == paths.count)
        #expect(paths.count == 6 * 2 + 5 + 6)  // files, loose files, directories
    }

    /// The streaming walk (with and without the prefetching thread) must give exactly what
    /// collecting everything and sorting it gives: the same entries, the same order, the same
    /// directories kept under include globs, with links, deep and shallow branches, empty
    /// directories, skipped paths and names whose order is tricky.
    @Test("the streaming walk gives what collecting and sorting the whole tree gives", arguments: [1, 2])
    func streamingWalkMatchesCollectAndSort(threads: Int) throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        for top in ["a", "a.b", "a-", "ab", "b", "z", "é"] {
            for middle in ["m", "m.x", "n"] {
                try tree.file("\(top)/\(middle)/deep/er/f.txt", "1").file("\(top)/\(middle)/g.log", "2").file("\(top)/\(middle).txt", "3")
            }
            try tree.file("\(top)/skip-me/x", "4")
        }
        try tree.file("a.txt", "5").file("a0", "6").file("zz/only/one/path/down/f", "7").file("logs/only.log", "8")
        try tree.directory("empty/inside")
        try tree.symlink("a/link", to: "m/g.log").symlink("b/dirlink", to: "../z")
        try tree.file(".slipwayignore", "skip-me/\n")
        let optionSets = [PackageOptions(), PackageOptions(exclude: ["**/*.log"]), PackageOptions(include: ["**/*.txt"]),
                          PackageOptions(include: ["a*/**", "logs"]), PackageOptions(include: ["**/f*"], exclude: ["a"])]
        for options in optionSets {
            let filter = try Packager.makeFilter(root: tree.root, options: options)
            let walked = try SourceTree(root: tree.root, filter: filter, skip: ["a/n/g.log"], threads: threads).entries()
            let expected = try Self.collectAndSort(root: tree.root, filter: filter, skip: ["a/n/g.log"])
            #expect(walked == expected, "\(options.include) \(options.exclude)")
            #expect(walked.count > 5)
        }
    }

    /// A fault deep in the tree stops the walk, with or without the prefetching thread.
    @Test("a FIFO deep in the tree is refused", arguments: [1, 2])
    func walkReportsFaults(threads: Int) throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        for top in ["a", "b", "c", "d"] { try tree.file("\(top)/1/2/3/f", "x") }
        #expect(mkfifo(tree.root + "/c/1/2/3/pipe", 0o644) == 0)
        let filter = try Packager.makeFilter(root: tree.root, options: PackageOptions())
        #expect(throws: ArchiveError.unsupportedSourceFile(path: "c/1/2/3/pipe", kind: "FIFO")) {
            try SourceTree(root: tree.root, filter: filter, skip: [], threads: threads).entries()
        }
    }

    /// The plain definition: collect every entry the filters keep, keep a directory under
    /// include globs when it matches one or leads to an included entry, sort by path.
    static func collectAndSort(root: String, filter: PathFilter, skip: Set<String>) throws -> [SourceEntry] {
        var files: [SourceEntry] = [], directories: [String] = []
        func collect(_ directory: String) throws {
            for (rawName, info) in try POSIX.directoryEntriesWithStatus(directory.isEmpty ? root : root + "/" + directory) {
                let name = String(decoding: rawName, as: UTF8.self)
                let relative = directory.isEmpty ? name : directory + "/" + name
                if skip.contains(relative) { continue }
                if POSIX.isDirectory(info) {
                    if filter.excludes(relative, isDirectory: true) { continue }
                    directories.append(relative)
                    try collect(relative)
                } else if !filter.excludes(relative, isDirectory: false), filter.includes(relative) {
                    if POSIX.isSymlink(info) {
                        files.append(SourceEntry(relativePath: relative, kind: .symlink(target: try POSIX.readLink(root + "/" + relative))))
                    } else {
                        files.append(SourceEntry(relativePath: relative, kind: .file(size: Int64(info.st_size),
                                                                                     executable: info.st_mode & 0o111 != 0, stamp: FileStamp(info))))
                    }
                }
            }
        }
        try collect("")
        let kept = directories.filter { directory in
            filter.include.isEmpty || filter.includes(directory) || files.contains { $0.relativePath.hasPrefix(directory + "/") }
        }
        return (files + kept.map { SourceEntry(relativePath: $0, kind: .directory) })
            .sorted { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
    }

    static func entry(_ name: String, _ isDirectory: Bool) -> (name: [UInt8], info: stat) {
        var info = stat()
        info.st_mode = isDirectory ? S_IFDIR | 0o755 : S_IFREG | 0o644
        return (Array(name.utf8), info)
    }
}

extension SourceTree {
    /// Every entry at once (tests only: the walk itself never holds them all).
    func entries() throws(ArchiveError) -> [SourceEntry] {
        var all: [SourceEntry] = []
        try forEachEntry { all.append($0) }
        return all
    }
}
