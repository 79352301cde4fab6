import Foundation
import Testing
@testable import SlipwayProcess

@Suite("stdin fed while the child runs")
struct StdinFeedTests {
    /// The child asks on stdout, the line handler answers on its stdin: the conversation the ssh
    /// transport has with a remote program to append its scripts.log entries.
    @Test("an answer given from the line handler reaches the child, then end of file")
    func answerFromLineHandler() async throws {
        let lines = LineCollector()
        let feed = StdinFeed(Array("first\n".utf8))
        var spec = shell(#"IFS= read -r a; echo "got $a"; echo ask; IFS= read -r b; echo "then $b"; cat; echo eof"#)
        spec.stdinFeed = feed
        let result = try await runProcess(spec, onLine: { stream, line in
            lines.onLine(stream, line)
            if line == "ask" { feed.finish(appending: Array("second\nrest\n".utf8)) }
        })
        #expect(result.succeeded)
        #expect(lines.lines(.stdout) == ["got first", "ask", "then second", "rest", "eof"])
    }

    /// More than a pipe holds (64 KiB), so the writes must interleave with reading the child's
    /// output instead of blocking on a full pipe.
    @Test("a large initial feed arrives whole while the child also prints")
    func largeInitialFeed() async throws {
        let size = 3 << 20
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let feed = StdinFeed(bytes)
        feed.finish()
        let lines = LineCollector()
        var spec = shell("seq 1 20000; cksum")
        spec.stdinFeed = feed
        let result = try await runProcess(spec, onLine: lines.onLine)
        #expect(result.succeeded)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stdin-feed-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let expected = LineCollector()
        _ = try await runProcess(shell("cksum < '\(file.path)'"), onLine: expected.onLine)
        #expect(lines.lines(.stdout).count == 20001)
        #expect(lines.lines(.stdout).last == expected.lines(.stdout).first)
    }

    /// A child that never reads: the rest is dropped, and the broken pipe does not end this
    /// process (SIGPIPE) or the run.
    @Test("a child that exits without reading its stdin ends normally")
    func childThatDoesNotRead() async throws {
        let feed = StdinFeed(Array(repeating: 0x61, count: 1 << 20))
        var spec = shell("exit 3")
        spec.stdinFeed = feed
        let result = try await runProcess(spec, onLine: { _, _ in })
        #expect(result.termination == .exited(3))
    }

    /// Without `finish`, stdin stays open while the child runs; a timeout still ends it.
    @Test("an unfinished feed does not outlive the child")
    func unfinishedFeed() async throws {
        var spec = shell("cat >/dev/null", timeout: .milliseconds(300), killGrace: .milliseconds(200))
        spec.stdinFeed = StdinFeed(Array("x\n".utf8))
        let result = try await runProcess(spec, onLine: { _, _ in })
        #expect(result.timedOut)
    }
}
