import Foundation
import SlipwayProcess
@testable import SlipwayHost
import Testing

@Suite("SSHTransport timeout and cancellation")
struct SSHTransportTimeoutTests {
    /// The script ignores TERM (so does its `sleep`, which inherits the ignored disposition):
    /// only the KILL after the grace period ends it. A second `sleep` in the background is a
    /// group member the script does not wait for. The timeout is generous only so that the
    /// script surely starts first on a loaded machine.
    @Test func timeoutKillsTheWholeRemoteProcessGroup() async throws {
        try await SSHTestFixture.with(killGrace: .seconds(1)) { fixture in
            let foreground = ["sleep", String(Int.random(in: 100_000...999_999))]
            let background = ["sleep", String(Int.random(in: 100_000...999_999))]
            let output = try await fixture.run("web-1", """
                trap '' TERM
                \(background.joined(separator: " ")) &
                echo started
                \(foreground.joined(separator: " "))
                echo not-reached
                """, timeout: .seconds(10))
            #expect(output.result.timedOut)
            #expect(!output.result.cancelled)
            #expect(!output.result.succeeded)
            #expect(output.stdout == ["started"])
            let gone = await eventually {
                livePIDs(withArguments: foreground).isEmpty && livePIDs(withArguments: background).isEmpty
            }
            #expect(gone, "remote sleep processes still running: \(livePIDs(withArguments: foreground)) \(livePIDs(withArguments: background))")
        }
    }

    @Test func cancellingTheTaskKillsTheRemoteProcessGroup() async throws {
        try await SSHTestFixture.with(killGrace: .seconds(1)) { fixture in
            let sleeper = ["sleep", String(Int.random(in: 100_000...999_999))]
            let startedFile = "\(fixture.roots["web-1"]!)/started"
            let run = Task {
                try await fixture.run("web-1", "touch '\(startedFile)'; \(sleeper.joined(separator: " "))")
            }
            // Generous: in the full suite the CLI tests block the 2-thread cooperative pool while
            // they wait for their child processes, which can hold the run's task back for tens of
            // seconds on a busy machine.
            #expect(await eventually(within: .seconds(240)) { !livePIDs(withArguments: sleeper).isEmpty })
            run.cancel()
            let output = try await run.value
            #expect(output.result.cancelled)
            #expect(!output.result.timedOut)
            #expect(FileManager.default.fileExists(atPath: startedFile))
            #expect(await eventually { livePIDs(withArguments: sleeper).isEmpty })
        }
    }
}
