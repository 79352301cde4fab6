import Foundation
import Testing
@testable import SlipwayArchive

@Suite struct DeterminismTests {
    /// The same logical tree, built twice with different creation order, mtimes, permission
    /// noise, owners and root paths.
    private func buildTree(at root: String, variant: Int) throws {
        let tree = try TreeBuilder(root)
        let names = ["b.txt", "a-b.txt", "a/z.txt", "a/b/c.txt", "Zeta", "é-unicode.txt"]
        for name in (variant == 0 ? names : names.reversed()) {
            try tree.file(name, "content of \(name)\n", mode: variant == 0 ? 0o644 : 0o600)
        }
        try tree.file("run.sh", "#!/bin/sh\necho hi\n", mode: variant == 0 ? 0o755 : 0o700)
        try tree.directory("empty")
        try tree.symlink("link-to-file", to: "a/z.txt")
        try tree.symlink("link-to-dir", to: "a/b")
        try tree.file(String(repeating: "long-", count: 30) + "/name.txt", "long path")
        if variant == 1 {
            for path in try snapshot(root).keys {
                var times = [timespec(tv_sec: 1_234_567_890, tv_nsec: 0), timespec(tv_sec: 1_234_567_890, tv_nsec: 0)]
                utimensat(AT_FDCWD, root + "/" + path, &times, AT_SYMLINK_NOFOLLOW)
                // Only root can change owners; elsewhere the other differences still apply.
                if geteuid() == 0 { lchown(root + "/" + path, 1234, 5678) }
            }
        }
    }

    @Test(arguments: ArchiveFormat.allCases)
    func sameTreeGivesIdenticalBytes(format: ArchiveFormat) throws {
        let scratch = try Scratch()
        try buildTree(at: scratch.sub("one/src"), variant: 0)
        try buildTree(at: scratch.sub("elsewhere/deeper/src"), variant: 1)
        let options = PackageOptions(format: format)
        let first = try Packager.package(source: scratch.sub("one/src"), to: scratch.sub("1." + format.fileExtension), options: options)
        // A different core count must not change zstd output either.
        let second = try Packager.package(source: scratch.sub("elsewhere/deeper/src"),
                                          to: scratch.sub("2." + format.fileExtension),
                                          options: PackageOptions(format: format, threads: 1))
        #expect(first == second)
        #expect(try readBytes(scratch.sub("1." + format.fileExtension)) == readBytes(scratch.sub("2." + format.fileExtension)))
        #expect(first.fileCount == 10)
        #expect(first.directoryCount == 4)
        #expect(first.format == format)
    }

    @Test func gzipHeaderCarriesNoTimestampOrName() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a", "a")
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("out.tgz"))
        let header = [UInt8](try readBytes(scratch.sub("out.tgz")).prefix(10))
        #expect(header[0] == 0x1f && header[1] == 0x8b)
        #expect(header[3] == 0, "no FNAME/FEXTRA/FCOMMENT flags")
        #expect(header[4..<8].allSatisfy { $0 == 0 }, "MTIME is zero")
    }

    @Test func entriesAreSortedWithNormalizedMetadata() throws {
        let scratch = try Scratch()
        try buildTree(at: scratch.sub("src"), variant: 1)
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("out.tar"), options: PackageOptions(format: .tar))
        let entries = try SafeExtractor.inspect(archive: scratch.sub("out.tar"))
        let paths = entries.map(\.path)
        #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(paths.firstIndex(of: "a-b.txt")! < paths.firstIndex(of: "a/z.txt")!, "bytewise: '-' < '/'")
        for entry in entries {
            switch entry.kind {
            case .directory: #expect(entry.permissions == 0o755, "\(entry.path)")
            case .symlink: #expect(entry.permissions == 0o777, "\(entry.path)")
            case .file: #expect(entry.permissions == (entry.path == "run.sh" ? 0o755 : 0o644), "\(entry.path)")
            case .hardLink: Issue.record("packager never writes hard links")
            }
        }
    }
}
