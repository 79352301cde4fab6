import Foundation
import Testing
@testable import SlipwayArchive

/// A fingerprint says whether a tree changed since it was packaged, without reading file
/// contents: any edit, touch, chmod, rename, new or removed entry, link change, ignore-file or
/// option change must change it; nothing else may.
@Suite struct FingerprintTests {
    func makeTree(_ scratch: Scratch) throws -> TreeBuilder {
        let tree = try TreeBuilder(scratch.sub("src"))
        for directory in ["a", "a/b", "c", "d.e"] {
            try tree.file(directory + "/one.txt", "1").file(directory + "/two.bin", "22")
        }
        try tree.file("run.sh", "#!/bin/sh\n", mode: 0o755).symlink("link", to: "a/one.txt")
        return tree
    }

    @Test("unchanged tree, same fingerprint, whatever the thread count")
    func stable() throws {
        let scratch = try Scratch()
        let tree = try makeTree(scratch)
        let first = try Packager.fingerprint(source: tree.root, options: PackageOptions(threads: 1))
        #expect(try Packager.fingerprint(source: tree.root, options: PackageOptions(threads: 1)) == first)
        #expect(try Packager.fingerprint(source: tree.root, options: PackageOptions(threads: 4)) == first)
        #expect(first.digest.count == 64)
        #expect(first.totals == PackageTotals(files: 10, bytes: 4 * 3 + 10))
    }

    @Test("every kind of change changes it")
    func changes() throws {
        let scratch = try Scratch()
        let tree = try makeTree(scratch)
        var seen = Set([try Packager.fingerprint(source: tree.root)])
        func expectChanged(_ what: String, _ change: () throws -> Void) throws {
            try change()
            let next = try Packager.fingerprint(source: tree.root)
            #expect(seen.insert(next).inserted, "\(what) did not change the fingerprint")
        }
        try expectChanged("an edit of the same size") {
            var times = [timespec(tv_sec: 1_000_000, tv_nsec: 5), timespec(tv_sec: 1_000_000, tv_nsec: 5)]
            try "9".write(toFile: tree.root + "/a/one.txt", atomically: false, encoding: .utf8)
            #expect(utimensat(AT_FDCWD, tree.root + "/a/one.txt", &times, 0) == 0)
        }
        try expectChanged("a touch") {
            var times = [timespec(tv_sec: 2_000_000, tv_nsec: 7), timespec(tv_sec: 2_000_000, tv_nsec: 7)]
            #expect(utimensat(AT_FDCWD, tree.root + "/c/two.bin", &times, 0) == 0)
        }
        try expectChanged("a chmod") { #expect(chmod(tree.root + "/run.sh", 0o644) == 0) }
        try expectChanged("a rename") { #expect(rename(tree.root + "/d.e/one.txt", tree.root + "/d.e/uno.txt") == 0) }
        try expectChanged("a new file") { try tree.file("a/b/three", "3") }
        try expectChanged("a removed file") { #expect(unlink(tree.root + "/a/b/two.bin") == 0) }
        try expectChanged("a new empty directory") { try tree.directory("empty") }
        try expectChanged("a link pointing elsewhere") {
            #expect(unlink(tree.root + "/link") == 0)
            try tree.symlink("link", to: "c/one.txt")
        }
        try expectChanged("an ignore file") { try tree.file(".slipwayignore", "*.bin\n") }
        #expect(try Packager.fingerprint(source: tree.root, options: PackageOptions(exclude: ["c"])) != Packager.fingerprint(source: tree.root))
        #expect(try Packager.fingerprint(source: tree.root, options: PackageOptions(format: .zip)) != Packager.fingerprint(source: tree.root))
    }

    /// The text is written into a buffer with its own integer formatting: it must be the very
    /// bytes the string interpolation gave, or every cached archive would stop being reused.
    @Test("the text hashed is the interpolated text, byte for byte", arguments: [
        (Int64(0), UInt64(0), 0), (-1, 1, 999_999_999), (Int64.max, UInt64.max, 10), (Int64.min, 1 << 63, 1),
    ])
    func textMatchesInterpolation(size: Int64, inode: UInt64, nanoseconds: Int) {
        var info = stat()
        info.st_ino = __ino_t(inode)
        info.st_mode = S_IFREG | 0o755
        info.st_size = Int(truncatingIfNeeded: size)
        info.st_mtim = timespec(tv_sec: -5, tv_nsec: nanoseconds)
        info.st_ctim = timespec(tv_sec: 1_700_000_000, tv_nsec: 0)
        let stamp = FileStamp(info)
        var text = FingerprintText()
        text.line("d|", "dir/é")
        text.append("f|", "dir/é/x", "|")
        text.append(size)
        text.append("|true|")
        text.append(stamp)
        text.endLine()
        let expected = "d|dir/é\u{0}f|dir/é/x|\(size)|true|\(stamp.inode)|\(stamp.mode)|\(stamp.size)|"
            + "\(stamp.modified.seconds).\(stamp.modified.nanoseconds)|\(stamp.changed.seconds).\(stamp.changed.nanoseconds)\u{0}"
        var reference = SHA256Stream()
        reference.update(Array(expected.utf8))
        #expect(text.digest() == reference.finalizeHex())
    }
}
