import Foundation
import Testing
@testable import SlipwayArchive

@Suite struct PackagingFilterTests {
    private func packagedPaths(_ scratch: Scratch, _ options: PackageOptions = PackageOptions(format: .tar)) throws -> [String] {
        try Packager.package(source: scratch.sub("src"), to: scratch.sub("out.tar"), options: options)
        return try SafeExtractor.inspect(archive: scratch.sub("out.tar")).map(\.path)
    }

    private func sampleTree(_ scratch: Scratch) throws -> TreeBuilder {
        let tree = try TreeBuilder(scratch.sub("src"))
        try tree.file("app.js", "1").file("app.test.js", "2").file("lib/util.js", "3")
        try tree.file("lib/deep/x.log", "4").file("debug.log", "5").file("notes/a.md", "6")
        try tree.file("build/out.o", "7").file("src/build/keep.c", "8")
        return tree
    }

    @Test func excludeGlobsPruneFilesAndDirectories() throws {
        let scratch = try Scratch()
        _ = try sampleTree(scratch)
        let paths = try packagedPaths(scratch, PackageOptions(format: .tar, exclude: ["**/*.log", "build", "*.test.js"]))
        #expect(paths == ["app.js", "lib", "lib/deep", "lib/util.js", "notes", "notes/a.md", "src", "src/build", "src/build/keep.c"])
    }

    @Test func includeGlobsKeepOnlyMatchesAndTheirDirectories() throws {
        let scratch = try Scratch()
        _ = try sampleTree(scratch)
        let paths = try packagedPaths(scratch, PackageOptions(format: .tar, include: ["**/*.js"], exclude: ["*.test.js"]))
        #expect(paths == ["app.js", "lib", "lib/util.js"])
    }

    @Test func ignoreFileNegationDirectoryOnlyAndAnchoring() throws {
        let scratch = try Scratch()
        let tree = try sampleTree(scratch)
        try tree.file("keep.log", "k")
        try tree.file("lib/build", "a file named build is kept by the dir-only rule")
        try tree.file(".slipwayignore", """
            # logs, but not keep.log
            *.log
            !keep.log
            # directories named build, anywhere
            build/
            # only the top-level notes
            /notes
            """)
        try tree.file("lib/notes/b.md", "nested notes survive the anchored rule")
        let paths = try packagedPaths(scratch)
        #expect(paths == [".slipwayignore", "app.js", "app.test.js", "keep.log", "lib", "lib/build", "lib/deep",
                          "lib/notes", "lib/notes/b.md", "lib/util.js", "src"])
    }

    @Test func ignoredDirectoryCannotBeReincluded() throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        try tree.file("vendor/keep.txt", "k").file("main.txt", "m")
        try tree.file(".slipwayignore", "vendor/\n!vendor/keep.txt\n")
        #expect(try packagedPaths(scratch) == [".slipwayignore", "main.txt"])
        // useIgnoreFile: false disables the file.
        #expect(try packagedPaths(scratch, PackageOptions(format: .tar, useIgnoreFile: false))
                == [".slipwayignore", "main.txt", "vendor", "vendor/keep.txt"])
    }

    @Test(arguments: [
        ("escape", "../outside"),
        ("sub/escape", "../../outside"),
        ("absolute", "/etc/passwd"),
    ])
    func symlinkLeavingTheSourceIsRefused(link: String, target: String) throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("ok.txt", "ok").symlink(link, to: target)
        #expect(throws: ArchiveError.symlinkEscapesSource(path: link, target: target)) {
            try Packager.package(source: scratch.sub("src"), to: scratch.sub("out.tgz"))
        }
        #expect(scratch.listing() == ["src"], "no archive and no partial file left")
    }

    @Test func symlinkEscapingThroughAnotherSymlinkIsRefused() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).directory("sub").symlink("sub/up", to: "..").symlink("sub/x", to: "up/../secret")
        #expect(throws: ArchiveError.symlinkEscapesSource(path: "sub/x", target: "up/../secret")) {
            try Packager.package(source: scratch.sub("src"), to: scratch.sub("out.tgz"))
        }
    }

    @Test func excludedEscapingSymlinkIsNotAnError() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a", "a").symlink("tmp/escape", to: "/tmp")
        let result = try Packager.package(source: scratch.sub("src"), to: scratch.sub("o.tgz"),
                                          options: PackageOptions(exclude: ["tmp"]))
        #expect(result.fileCount == 1)
    }

    @Test func fifoInSourceIsRefusedByName() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a", "a")
        #expect(mkfifo(scratch.sub("src/pipe"), 0o644) == 0)
        #expect(throws: ArchiveError.unsupportedSourceFile(path: "pipe", kind: "FIFO")) {
            try Packager.package(source: scratch.sub("src"), to: scratch.sub("o.tgz"))
        }
    }

    @Test func invalidCompressionLevelIsRefused() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a", "a")
        #expect(throws: ArchiveError.self) {
            try Packager.package(source: scratch.sub("src"), to: scratch.sub("o.tgz"),
                                 options: PackageOptions(compressionLevel: 42))
        }
        #expect(scratch.listing() == ["src"])
    }

    @Test func compressionLevelChangesTheOutput() throws {
        let scratch = try Scratch()
        try TreeBuilder(scratch.sub("src")).file("a", String(repeating: "slipway archive ", count: 5000))
        let fast = try Packager.package(source: scratch.sub("src"), to: scratch.sub("1.tgz"), options: PackageOptions(compressionLevel: 0))
        let best = try Packager.package(source: scratch.sub("src"), to: scratch.sub("9.tgz"), options: PackageOptions(compressionLevel: 9))
        #expect(fast.size > best.size * 10, "level 0 stores, level 9 compresses")
    }
}
