import Foundation
import Testing
@testable import SlipwayProcess

@Suite struct OutputTests {
    @Test func stdoutAndStderrLinesArriveInOrderPerStream() async throws {
        let lines = LineCollector()
        let script = "for i in 1 2 3 4 5 6 7 8; do echo out$i; echo err$i >&2; done"
        _ = try await runProcess(shell(script), onLine: lines.onLine)
        #expect(lines.lines(.stdout) == (1...8).map { "out\($0)" })
        #expect(lines.lines(.stderr) == (1...8).map { "err\($0)" })
    }

    @Test func partialLastLineIsFlushed() async throws {
        let lines = LineCollector()
        _ = try await runProcess(shell("printf 'first\\nlast-without-newline'"), onLine: lines.onLine)
        #expect(lines.lines(.stdout) == ["first", "last-without-newline"])
    }

    @Test func emptyLinesAndCRLFAreKept() async throws {
        let lines = LineCollector()
        _ = try await runProcess(shell("printf 'a\\n\\nb\\r\\n'"), onLine: lines.onLine)
        #expect(lines.lines(.stdout) == ["a", "", "b"])
    }

    @Test func veryLongLineIsSplitWithAMarker() async throws {
        let lines = LineCollector()
        var spec = shell("head -c 2500 /dev/zero | tr '\\0' x; echo; echo next")
        spec.maxLineBytes = 1000
        _ = try await runProcess(spec, onLine: lines.onLine)
        let chunk = String(repeating: "x", count: 1000)
        #expect(lines.lines(.stdout) == [
            chunk + ProcessSpec.longLineMarker,
            chunk + ProcessSpec.longLineMarker,
            String(repeating: "x", count: 500),
            "next",
        ])
    }

    @Test func largeOutputIsDeliveredCompletely() async throws {
        let lines = LineCollector()
        _ = try await runProcess(shell("seq 1 20000"), onLine: lines.onLine)
        #expect(lines.lines(.stdout) == (1...20000).map(String.init))
    }
}

@Suite struct LineSplitterTests {
    private func split(_ chunks: [String], max: Int) -> [String] {
        var splitter = LineSplitter(maxLineBytes: max)
        var lines: [String] = []
        for chunk in chunks { splitter.append(Array(chunk.utf8)) { lines.append($0) } }
        splitter.finish { lines.append($0) }
        return lines
    }

    @Test func joinsALineSplitAcrossReads() {
        #expect(split(["hel", "lo\nwor", "ld\n"], max: 100) == ["hello", "world"])
    }

    @Test func neverCutsInsideAUTF8Sequence() {
        // "aaa" + "é" (2 bytes) is 5 bytes: a cut at 4 would split the é, so it backs up to 3.
        #expect(split(["aaaé\n"], max: 4) == ["aaa" + ProcessSpec.longLineMarker, "é"])
    }

    @Test func lineOfExactlyTheLimitIsNotSplit() {
        #expect(split(["abcd\n"], max: 4) == ["abcd"])
    }
}
