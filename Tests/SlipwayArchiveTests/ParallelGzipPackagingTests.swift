import Foundation
import Testing
@testable import SlipwayArchive

/// tgz archives from `Packager`, compressed by `ParallelGzipWriter`, checked against gzip, GNU
/// tar and our own extractor.
@Suite struct ParallelGzipPackagingTests {
    /// Several 128 KiB blocks of text and random data, plus small files and links.
    private func buildMultiBlockTree(at root: String) throws {
        let tree = try TreeBuilder(root)
        try tree.data("assets/blob.bin", Data(mixedBytes(count: 700_000, seed: 7)))
        for index in 0..<30 {
            try tree.file("src/file\(index).swift", String(repeating: "let value\(index) = \(index * 31)\n", count: 200 + index))
        }
        try tree.file("bin/run.sh", "#!/bin/sh\nexit 0\n", mode: 0o755)
        try tree.symlink("bin/data", to: "../assets/blob.bin")
        try tree.directory("empty")
    }

    private func tarListing(_ archive: String) throws -> [String] {
        let run = try runTool("/bin/tar", ["-tzf", archive])
        try #require(run.status == 0, "tar -tzf failed: \(run.errors)")
        #expect(run.errors == "")
        return String(decoding: run.output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func archiveIsIdenticalForOneTwoAndFourThreads() throws {
        let scratch = try Scratch()
        try buildMultiBlockTree(at: scratch.sub("src"))
        var results: [PackageResult] = []
        for threads in [1, 2, 4] {
            results.append(try Packager.package(source: scratch.sub("src"), to: scratch.sub("t\(threads).tgz"),
                                                options: PackageOptions(format: .tgz, threads: threads)))
        }
        #expect(results[0].size > 3 * Int64(ParallelGzipWriter.defaultBlockSize) / 2, "spans several blocks")
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
        #expect(try readBytes(scratch.sub("t2.tgz")) == readBytes(scratch.sub("t1.tgz")))
        #expect(try readBytes(scratch.sub("t4.tgz")) == readBytes(scratch.sub("t1.tgz")))
        #expect(try SHA256Stream.hexDigest(ofFile: scratch.sub("t1.tgz")) == results[0].sha256)
    }

    @Test func systemGzipAndTarAcceptTheArchiveAndExtractorRoundTrips() throws {
        let scratch = try Scratch()
        try buildMultiBlockTree(at: scratch.sub("src"))
        let archive = scratch.sub("b.tgz")
        let result = try Packager.package(source: scratch.sub("src"), to: archive)
        #expect(try runTool("/bin/gzip", ["-t", archive]).status == 0)
        let listed = try tarListing(archive)
        #expect(listed.count == result.fileCount + result.directoryCount)
        #expect(listed.contains("assets/blob.bin"))
        #expect(listed.contains("empty/"))

        try SafeExtractor.extract(archive: archive, to: scratch.sub("out"))
        #expect(try snapshot(scratch.sub("out")) == snapshot(scratch.sub("src")))
        // GNU tar extracts the same tree.
        try FileManager.default.createDirectory(atPath: scratch.sub("tar-out"), withIntermediateDirectories: false)
        #expect(try runTool("/bin/tar", ["-xzf", archive, "-C", scratch.sub("tar-out")]).status == 0)
        #expect(try snapshot(scratch.sub("tar-out")) == snapshot(scratch.sub("src")))
    }

    @Test func emptyTreeGivesAValidArchiveWithNoEntries() throws {
        let scratch = try Scratch()
        _ = try TreeBuilder(scratch.sub("src"))
        let archive = scratch.sub("e.tgz")
        let result = try Packager.package(source: scratch.sub("src"), to: archive, options: PackageOptions(threads: 2))
        #expect(result.fileCount == 0 && result.directoryCount == 0)
        #expect(try runTool("/bin/gzip", ["-t", archive]).status == 0)
        // Only the tar end-of-archive marker: two zero records.
        #expect(try gunzip(archive) == [UInt8](repeating: 0, count: 1024))
        #expect(try tarListing(archive) == [])
        try SafeExtractor.extract(archive: archive, to: scratch.sub("out"))
        #expect(try snapshot(scratch.sub("out")).isEmpty)
    }

    /// One 512-byte header + 129,536 data bytes + the 1,024-byte end marker is exactly one
    /// 128 KiB block: the stream then ends with an empty final deflate block.
    @Test func tarStreamOfExactlyWholeBlocks() throws {
        let scratch = try Scratch()
        let blockSize = ParallelGzipWriter.defaultBlockSize
        let content = mixedBytes(count: blockSize - 512 - 1024, seed: 3)
        try TreeBuilder(scratch.sub("src")).data("payload.bin", Data(content))
        let archive = scratch.sub("w.tgz")
        let result = try Packager.package(source: scratch.sub("src"), to: archive, options: PackageOptions(threads: 2))
        let bytes = try readBytes(archive)
        let isize = bytes.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(isize == blockSize, "the tar stream fills exactly one block")
        #expect(Array(bytes.suffix(10).prefix(2)) == [0x03, 0x00], "empty final deflate block")

        let single = try Packager.package(source: scratch.sub("src"), to: scratch.sub("w1.tgz"), options: PackageOptions(threads: 1))
        #expect(single == result)
        #expect(try runTool("/bin/gzip", ["-t", archive]).status == 0)
        #expect(try tarListing(archive) == ["payload.bin"])
        try SafeExtractor.extract(archive: archive, to: scratch.sub("out"))
        #expect(try readBytes(scratch.sub("out/payload.bin")) == Data(content))
    }

    /// The tar stream inside is the one libarchive's own gzip filter used to wrap: only the
    /// compression changed, so listings and extraction behave as before.
    @Test func decompressedStreamIsTheUnpaddedTar() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a.txt", "a").file("b/c.txt", "c")
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("x.tgz"))
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("x.tar"), options: PackageOptions(format: .tar))
        let inner = try gunzip(scratch.sub("x.tgz"))
        let plain = [UInt8](try readBytes(scratch.sub("x.tar")))
        // Plain tar is padded to 10 KiB records like `tar cf`; the compressed one is not.
        #expect(inner.count % 512 == 0 && inner.count < plain.count)
        #expect(Array(plain.prefix(inner.count)) == inner)
        #expect(plain.dropFirst(inner.count).allSatisfy { $0 == 0 })
    }

    @Test func invalidLevelIsRejectedBeforeAnythingIsWritten() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a.txt", "a")
        #expect(throws: ArchiveError.invalidOption("compression level 11 is outside 0...9 for tgz")) {
            try Packager.package(source: scratch.sub("src"), to: scratch.sub("x.tgz"),
                                 options: PackageOptions(compressionLevel: 11))
        }
        #expect(scratch.listing() == ["src"], "no partial file left")
    }
}
