import Foundation
import Testing
@testable import SlipwayArchive

/// Our zip writer checked by an independent reader (Python's `zipfile`, which verifies every
/// CRC-32 and reads Zip64 end records) and by libarchive (what hosts and `SafeExtractor` use).
@Suite struct ZipStreamWriterTests {
    /// Python prints one JSON line per entry: name, Unix mode, size, and the content (hex) for
    /// small entries, after `testzip()` has checked every CRC.
    static let describe = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            assert z.testzip() is None, "bad CRC"
            for i in z.infolist():
                data = z.read(i) if i.file_size < 4096 else b""
                print(json.dumps([i.filename, i.external_attr >> 16, i.file_size, data.hex(), i.compress_type]))
        """

    func python(_ archive: String) throws -> [[String]] {
        let run = try runTool("/usr/bin/env", ["python3", "-c", Self.describe, archive])
        try #require(run.status == 0, "python zipfile refused the archive: \(run.errors)")
        return String(decoding: run.output, as: UTF8.self).split(separator: "\n").map { line in
            let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any]
            return (fields ?? []).map { "\($0)" }
        }
    }

    @Test("a packaged zip reads back in Python with names, modes, links and contents")
    func packagedZipReadsBack() throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        try tree.file("a.txt", "hello\n").file("bin/run", "#!/bin/sh\n", mode: 0o755).file("empty", "")
            .file("naïve/é.txt", "é").symlink("bin/link", to: "../a.txt").directory("hollow")
        try tree.data("big.bin", Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }))
        try Packager.package(source: tree.root, to: scratch.sub("out.zip"), options: PackageOptions(format: .zip))
        let entries = try python(scratch.sub("out.zip"))
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0[0], $0) })
        #expect(entries.map { $0[0] } == ["a.txt", "big.bin", "bin/", "bin/link", "bin/run", "empty", "hollow/", "naïve/", "naïve/é.txt"])
        #expect(byName["a.txt"]?[1] == String(0o100644) && byName["a.txt"]?[3] == Data("hello\n".utf8).hex)
        #expect(byName["bin/run"]?[1] == String(0o100755))
        #expect(byName["bin/"]?[1] == String(0o40755))
        #expect(byName["bin/link"]?[1] == String(0o120777) && byName["bin/link"]?[3] == Data("../a.txt".utf8).hex)
        #expect(byName["bin/link"]?[4] == "0", "links are stored")
        #expect(byName["big.bin"]?[2] == "200000" && byName["big.bin"]?[4] == "8", "files are deflated")
        #expect(byName["empty"]?[2] == "0")
        #expect(byName["naïve/é.txt"]?[3] == Data("é".utf8).hex)
    }

    /// More than 65,535 entries need Zip64's end records; the central directory goes through
    /// the spool file in many batches.
    @Test("70,000 entries: Zip64 end records, read by Python and libarchive")
    func manyEntriesUseZip64EndRecords() throws {
        let scratch = try Scratch()
        let path = scratch.sub("many.zip")
        let (partial, fd) = try POSIX.makeTemporaryFile(prefix: scratch.sub(".many-"))
        defer { close(fd) }
        let sink = HashingFileSink(fd: fd, path: partial)
        // Files over 3 bytes take the Zip64 path of files over 4 GiB (sizes in an extra field
        // and an 8-byte data descriptor), so that path is read back too.
        let zip = try ZipStreamWriter(output: sink, outputPath: partial, level: 6, spoolDirectory: scratch.path, zip64Above: 3)
        try zip.beginFile("first.bin", executable: true, size: 100_000)
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try bytes.withUnsafeBytes { try zip.write($0) }
        try zip.endFile()
        for index in 0..<70_000 { try zip.addDirectory("d\(index)") }
        try zip.beginFile("last.txt", executable: false, size: 4)
        try Array("last".utf8).withUnsafeBytes { try zip.write($0) }
        try zip.endFile()
        try zip.finish()
        #expect(sink.finish())
        #expect(rename(partial, path) == 0)
        #expect(scratch.listing().filter { $0.hasPrefix(".zip-directory-") }.isEmpty, "the spool is unlinked from the start")

        let entries = try python(path)
        #expect(entries.count == 70_002)
        #expect(entries.first?[0...2] == ["first.bin", String(0o100755), "100000"])
        #expect(entries.last == ["last.txt", String(0o100644), "4", Data("last".utf8).hex, "8"])
        let inspected = try SafeExtractor.inspect(archive: path)
        #expect(inspected.count == 70_002)
        #expect(inspected.last?.path == "last.txt")
        let python = try runTool("/usr/bin/env", ["python3", "-c", "import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('first.bin'))", path])
        #expect(python.status == 0 && [UInt8](python.output) == bytes, "the Zip64 entry's bytes")
    }
}

private extension Data {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
