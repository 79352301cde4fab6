import Foundation
import Testing
@testable import SlipwayArchive

@Suite struct RoundTripTests {
    private func buildTree(at root: String) throws {
        let tree = try TreeBuilder(root)
        try tree.file("README.md", "# readme\n")
        try tree.file("bin/start.sh", "#!/bin/sh\nexit 0\n", mode: 0o755)
        try tree.file("bin/group-exec", "x", mode: 0o654)
        try tree.file("config/app.yml", "a: 1\n")
        // Bigger than one read chunk, to cross chunk boundaries.
        var big = Data(count: Packager.chunkSize * 2 + 123)
        for index in big.indices { big[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 7) }
        try tree.data("data/blob.bin", big)
        try tree.directory("logs/empty")
        try tree.symlink("current", to: "config")
        try tree.symlink("config/link.yml", to: "app.yml")
        try tree.symlink("bin/up", to: "../data/blob.bin")
        try tree.symlink("dangling", to: "not-there")
    }

    @Test(arguments: ArchiveFormat.allCases)
    func packageThenExtractGivesTheSameTree(format: ArchiveFormat) throws {
        let scratch = try Scratch()
        try buildTree(at: scratch.sub("src"))
        let archive = scratch.sub("bundle." + format.fileExtension)
        let result = try Packager.package(source: scratch.sub("src"), to: archive, options: PackageOptions(format: format))
        #expect(result.size == Int64(try readBytes(archive).count))

        let summary = try SafeExtractor.extract(archive: archive, to: scratch.sub("out"))
        var expected = try snapshot(scratch.sub("src"))
        // Exec bits are normalized: any x bit gives 0755.
        expected["bin/group-exec"] = .file(content: Data("x".utf8), executable: true)
        #expect(try snapshot(scratch.sub("out")) == expected)
        #expect(summary.entryCount == result.fileCount + result.directoryCount)
        let mode = try #require(POSIX.lstat(scratch.sub("out/bin/start.sh"))).st_mode & 0o7777
        #expect(mode == 0o755)
        #expect(scratch.listing() == ["bundle." + format.fileExtension, "out", "src"], "no staging dir left")
    }

    @Test func extractIntoExistingEmptyDirectoryIsAllowedButNotIntoAFullOne() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a.txt", "a")
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("b.tgz"))
        _ = try TreeBuilder(scratch.sub("empty"))
        try SafeExtractor.extract(archive: scratch.sub("b.tgz"), to: scratch.sub("empty"))
        #expect(try snapshot(scratch.sub("empty")) == ["a.txt": .file(content: Data("a".utf8), executable: false)])
        #expect(throws: ArchiveError.destinationNotEmpty(path: scratch.sub("empty"))) {
            try SafeExtractor.extract(archive: scratch.sub("b.tgz"), to: scratch.sub("empty"))
        }
    }

    @Test func acceptsTarballsMadeWithDotPrefix() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("app/x.txt", "x")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["czf", scratch.sub("dot.tgz"), "-C", scratch.sub("src"), "."]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let paths = try SafeExtractor.inspect(archive: scratch.sub("dot.tgz")).map(\.path)
        #expect(paths == ["app", "app/x.txt"])
        try SafeExtractor.extract(archive: scratch.sub("dot.tgz"), to: scratch.sub("out"))
        #expect(try String(contentsOfFile: scratch.sub("out/app/x.txt"), encoding: .utf8) == "x")
    }

    @Test func archiveWrittenInsideTheSourceIsNotPackaged() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a.txt", "a")
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("src/self.tgz"))
        // Packaging again must not pick up the previous archive nor the partial one.
        let second = try Packager.package(source: scratch.sub("src"), to: scratch.sub("src/self.tgz"))
        #expect(second.fileCount == 1)
        #expect(try SafeExtractor.inspect(archive: scratch.sub("src/self.tgz")).map(\.path) == ["a.txt"])
        #expect(scratch.listing("src") == ["a.txt", "self.tgz"])
    }

    @Test func progressEndsWithEverythingDone() throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        for index in 0..<20 { try tree.file("f\(index)", String(repeating: "x", count: index)) }
        let reports = Reports()
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("p.tgz")) { reports.append($0) }
        let last = try #require(reports.all.last)
        #expect(last == PackageProgress(filesDone: 20, filesTotal: 20, bytesDone: 190, bytesTotal: 190))
        #expect(reports.all.map(\.filesDone) == reports.all.map(\.filesDone).sorted())
    }

    /// A caller that fingerprinted the tree hands its totals over, sparing packaging a walk.
    @Test func progressUsesTheFingerprintsTotals() throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        for index in 0..<12 { try tree.file("d\(index % 3)/f\(index)", String(repeating: "y", count: index)) }
        let fingerprint = try Packager.fingerprint(source: scratch.sub("src"))
        #expect(fingerprint.totals == PackageTotals(files: 12, bytes: 66))
        let reports = Reports()
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("p.tgz"), totals: fingerprint.totals) { reports.append($0) }
        #expect(reports.all.last == PackageProgress(filesDone: 12, filesTotal: 12, bytesDone: 66, bytesTotal: 66))
    }
}

final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [PackageProgress] = []
    func append(_ item: PackageProgress) { lock.withLock { items.append(item) } }
    var all: [PackageProgress] { lock.withLock { items } }
}

@Suite struct SystemTarCompatibilityTests {
    /// Hosts extract bundles with plain `tar`: it must list every entry, including long and
    /// non-ASCII names, with nothing on stderr (a per-entry pax keyword GNU tar does not know
    /// would print a warning for every entry).
    @Test func gnuTarListsOurArchiveSilently() throws {
        let scratch = try Scratch()
        let longName = String(repeating: "segment-", count: 20) + "/file.txt"
        try TreeBuilder(scratch.sub("src")).file("é-ñ.txt", "x").file(longName, "y").symlink("l", to: longName)
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("b.tgz"))
        let process = Process()
        let output = Pipe()
        let errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["tzf", scratch.sub("b.tgz")]
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let listed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let warnings = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(warnings == "")
        #expect(listed.split(separator: "\n").map(String.init)
                == ["l", String(repeating: "segment-", count: 20) + "/", longName, "é-ñ.txt"])
    }
}
