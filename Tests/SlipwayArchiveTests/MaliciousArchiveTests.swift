import CArchive
import Foundation
import Testing
@testable import SlipwayArchive

/// Each hostile archive must be refused by `inspect`, `validate` and `extract` with the right
/// error, leave nothing outside the destination, no destination, and no staging directory.
@Suite struct MaliciousArchiveTests {
    /// Layout: <scratch>/evil.tar, <scratch>/sandbox/dest (target), <scratch>/sandbox/victim.
    private func expectRefused(_ expected: ArchiveError, limits: ExtractionLimits = .default,
                               gzip: Bool = false, zip: Bool = false,
                               build: (RawArchiveWriter) throws -> Void,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scratch = try Scratch()
        _ = try TreeBuilder(scratch.sub("sandbox"))
        let archive = scratch.sub(zip ? "evil.zip" : "evil.tar")
        let writer = try RawArchiveWriter(path: archive, gzip: gzip, zip: zip)
        try build(writer)
        writer.close()

        #expect(throws: expected, sourceLocation: sourceLocation) {
            _ = try SafeExtractor.inspect(archive: archive, limits: limits)
        }
        #expect(throws: expected, sourceLocation: sourceLocation) {
            try SafeExtractor.validate(archive: archive, limits: limits)
        }
        #expect(throws: expected, sourceLocation: sourceLocation) {
            try SafeExtractor.extract(archive: archive, to: scratch.sub("sandbox/dest"), limits: limits)
        }
        #expect(scratch.listing("sandbox") == [], "nothing extracted, no staging dir", sourceLocation: sourceLocation)
        #expect(scratch.listing() == ["sandbox", POSIX.baseName(of: archive)].sorted(), sourceLocation: sourceLocation)
    }

    @Test func dotDotEntry() throws {
        try expectRefused(.entryEscapesDestination(entry: "ok/../../victim")) { writer in
            try writer.add("ok/fine.txt", content: Data("fine".utf8))
            try writer.add("ok/../../victim", content: Data("pwned".utf8))
        }
    }

    @Test func dotDotEntryInZip() throws {
        try expectRefused(.entryEscapesDestination(entry: "../victim"), zip: true) { writer in
            try writer.add("../victim", content: Data("pwned".utf8))
        }
    }

    @Test func absolutePath() throws {
        try expectRefused(.absoluteEntryPath(entry: "/tmp/slipway-absolute-victim")) { writer in
            try writer.add("/tmp/slipway-absolute-victim", content: Data("pwned".utf8))
        }
        #expect(!exists("/tmp/slipway-absolute-victim"))
    }

    @Test func symlinkEscapeThenWriteThroughIt() throws {
        // The first line of defence is the symlink itself.
        try expectRefused(.symlinkEscapesDestination(entry: "escape", target: "../")) { writer in
            try writer.add("escape", type: SLIPWAY_AE_IFLNK, perm: 0o777, symlink: "../")
            try writer.add("escape/victim", content: Data("pwned".utf8))
        }
    }

    @Test func writeThroughAnInsideSymlinkIsRefusedToo() throws {
        try expectRefused(.entryThroughSymlink(entry: "alias/file", symlink: "alias")) { writer in
            try writer.add("real", type: SLIPWAY_AE_IFDIR, perm: 0o755)
            try writer.add("alias", type: SLIPWAY_AE_IFLNK, perm: 0o777, symlink: "real")
            try writer.add("alias/file", content: Data("x".utf8))
        }
    }

    @Test func symlinkThatEscapesOnlyOnceALaterLinkExists() throws {
        try expectRefused(.symlinkEscapesDestination(entry: "sub/x", target: "up/../secret")) { writer in
            try writer.add("sub", type: SLIPWAY_AE_IFDIR, perm: 0o755)
            try writer.add("sub/x", type: SLIPWAY_AE_IFLNK, perm: 0o777, symlink: "up/../secret")
            try writer.add("sub/up", type: SLIPWAY_AE_IFLNK, perm: 0o777, symlink: "..")
        }
    }

    @Test func absoluteSymlink() throws {
        try expectRefused(.symlinkEscapesDestination(entry: "passwd", target: "/etc/passwd")) { writer in
            try writer.add("passwd", type: SLIPWAY_AE_IFLNK, perm: 0o777, symlink: "/etc/passwd")
        }
    }

    @Test func hardLinkToEtcPasswd() throws {
        try expectRefused(.hardLinkRefused(entry: "passwd", target: "/etc/passwd")) { writer in
            try writer.add("passwd", hardlink: "/etc/passwd")
        }
    }

    @Test func hardLinkToAFileNotInTheArchive() throws {
        try expectRefused(.hardLinkRefused(entry: "b", target: "a")) { writer in
            try writer.add("b", hardlink: "a")
        }
    }

    @Test func characterDevice() throws {
        try expectRefused(.specialFileRefused(entry: "null", kind: "character device")) { writer in
            try writer.add("null", type: SLIPWAY_AE_IFCHR, perm: 0o666)
        }
    }

    @Test func fifo() throws {
        try expectRefused(.specialFileRefused(entry: "pipe", kind: "FIFO")) { writer in
            try writer.add("pipe", type: SLIPWAY_AE_IFIFO, perm: 0o644)
        }
    }

    @Test func gzipBombOf200MBOfZeros() throws {
        let size: Int64 = 200 << 20
        // Compressed, this is ~200 KB: a ratio near 1000:1, refused from the header alone.
        let scratchCheck = { (error: ArchiveError) -> Bool in
            if case .compressionRatioTooHigh(let expanded, _, 200) = error { return expanded == size }
            return false
        }
        let scratch = try Scratch()
        _ = try TreeBuilder(scratch.sub("sandbox"))
        let archive = scratch.sub("bomb.tgz")
        let writer = try RawArchiveWriter(path: archive, gzip: true)
        try writer.addZeros("zeros.bin", count: size)
        writer.close()
        #expect(try readBytes(archive).count < 1 << 20)
        #expect(performing: { try SafeExtractor.validate(archive: archive) }, throws: { error in
            scratchCheck(try #require(error as? ArchiveError))
        })
        #expect(performing: { try SafeExtractor.extract(archive: archive, to: scratch.sub("sandbox/dest")) }, throws: { error in
            scratchCheck(try #require(error as? ArchiveError))
        })
        #expect(scratch.listing("sandbox") == [])
    }

    @Test func headerLyingAboutSizeIsCaughtByCountingData() throws {
        // Zip entries may carry no size; the counted bytes still hit the absolute limit.
        let limits = ExtractionLimits(maxBytes: 1000, ratioFloorBytes: 1 << 30)
        try expectRefused(.expandedSizeTooLarge(bytes: 1500, limit: 1000), limits: limits, zip: true) { writer in
            try writer.add("a", content: Data(repeating: 1, count: 700))
            try writer.add("b", content: Data(repeating: 2, count: 800))
        }
    }

    @Test func tooManyEntries() throws {
        try expectRefused(.tooManyEntries(limit: 10), limits: ExtractionLimits(maxEntries: 10)) { writer in
            for index in 0..<11 { try writer.add("f\(index)", content: Data("x".utf8)) }
        }
    }

    @Test func absoluteSizeLimit() throws {
        try expectRefused(.expandedSizeTooLarge(bytes: 2048, limit: 2000), limits: ExtractionLimits(maxBytes: 2000)) { writer in
            try writer.add("a", content: Data(count: 1024))
            try writer.add("b", content: Data(count: 1024))
        }
    }

    @Test func hardLinkToAnEarlierRegularFileIsAllowed() throws {
        let scratch = try Scratch()
        let archive = scratch.sub("links.tar")
        let writer = try RawArchiveWriter(path: archive)
        try writer.add("dir", type: SLIPWAY_AE_IFDIR, perm: 0o755)
        try writer.add("dir/original", content: Data("shared".utf8))
        try writer.add("copy", hardlink: "dir/original")
        writer.close()
        let entries = try SafeExtractor.inspect(archive: archive)
        #expect(entries.last == EntryInfo(path: "copy", kind: .hardLink, size: 0, permissions: 0o644, linkTarget: "dir/original"))
        try SafeExtractor.extract(archive: archive, to: scratch.sub("out"))
        let original = try #require(POSIX.lstat(scratch.sub("out/dir/original")))
        let copy = try #require(POSIX.lstat(scratch.sub("out/copy")))
        #expect(original.st_ino == copy.st_ino)
        #expect(try String(contentsOfFile: scratch.sub("out/copy"), encoding: .utf8) == "shared")
    }

    @Test func setuidBitsAreDropped() throws {
        let scratch = try Scratch()
        let archive = scratch.sub("suid.tar")
        let writer = try RawArchiveWriter(path: archive)
        try writer.add("tool", perm: 0o4755, content: Data("#!/bin/sh\n".utf8))
        writer.close()
        try SafeExtractor.extract(archive: archive, to: scratch.sub("out"))
        #expect(try #require(POSIX.lstat(scratch.sub("out/tool"))).st_mode & 0o7777 == 0o755)
    }

    @Test func notAnArchiveIsALibarchiveError() throws {
        let scratch = try Scratch()
        try Data("just text, not an archive".utf8).write(to: URL(fileURLWithPath: scratch.sub("x.tgz")))
        #expect(performing: { try SafeExtractor.validate(archive: scratch.sub("x.tgz")) }, throws: { error in
            if case .libarchive = try #require(error as? ArchiveError) { return true }
            return false
        })
    }

    @Test func errorMessagesNameTheEntry() {
        #expect(ArchiveError.entryEscapesDestination(entry: "../etc/passwd").description
                == "entry \"../etc/passwd\" escapes the destination")
        #expect(ArchiveError.symlinkEscapesSource(path: "l", target: "/etc").description.contains("\"l\""))
    }
}
