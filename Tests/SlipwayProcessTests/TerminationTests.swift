import Foundation
import Testing
@testable import SlipwayProcess

@Suite struct TerminationTests {
    @Test func timeoutKillsTheStepAndItsChildren() async throws {
        let lines = LineCollector()
        // The grandchild is in the child's process group; the timeout must take it down too.
        let result = try await runProcess(shell("sleep 1000 & echo $!; wait", timeout: .seconds(2)), onLine: lines.onLine)
        #expect(result.timedOut)
        #expect(!result.cancelled)
        #expect(result.termination == .signaled(SIGTERM))
        #expect(!result.succeeded)
        let grandchild = try #require(lines.lines(.stdout).first.flatMap { pid_t($0) })
        #expect(!isRunning(grandchild))
    }

    @Test func termIgnoringGroupGetsKillAfterGrace() async throws {
        let lines = LineCollector()
        // Cancel only once the trap is installed, so TERM is certainly ignored.
        let spec = shell("trap '' TERM; echo ready; while :; do sleep 0.1; done", killGrace: .milliseconds(300))
        let result = try await runProcess(spec, onLine: lines.onLine, isCancelled: { lines.contains("ready") })
        #expect(result.cancelled)
        #expect(result.termination == .signaled(SIGKILL))
    }

    @Test func termIgnoringGrandchildIsKilledEvenAfterTheLeaderDied() async throws {
        let lines = LineCollector()
        // The leader dies on TERM at once; the grandchild ignores TERM and must still be KILLed
        // before runProcess returns. It lets go of the pipes, so only the group check (not the
        // wait for output) keeps runProcess from returning early. `\$\$` reaches the inner
        // shell as `$$`: its own pid, not the leader's.
        let inner = "trap '' TERM; echo \\$\\$; exec >/dev/null 2>&1; while :; do sleep 0.1; done"
        let spec = shell("sh -c \"\(inner)\" & wait", killGrace: .milliseconds(300))
        let result = try await runProcess(spec, onLine: lines.onLine, isCancelled: { !lines.lines(.stdout).isEmpty })
        #expect(result.cancelled)
        #expect(result.termination == .signaled(SIGTERM))
        let grandchild = try #require(lines.lines(.stdout).first.flatMap { pid_t($0) })
        #expect(!isRunning(grandchild))
    }

    @Test func backgroundDaemonHoldingOutputDoesNotHang() async throws {
        let lines = LineCollector()
        var spec = shell("sleep 30 & echo started $!")
        spec.lingerGrace = .milliseconds(300)
        let result = try await runProcess(spec, onLine: lines.onLine)
        let daemon = lines.lines(.stdout).first.flatMap { $0.split(separator: " ").last }.flatMap { pid_t($0) }
        if let daemon { kill(daemon, SIGKILL) }
        #expect(result.outputLeftOpen)
        #expect(result.termination == .exited(0))
        #expect(lines.lines(.stdout).first?.hasPrefix("started ") == true)
        // Generous bound: only proves it did not wait for the 30 s sleep.
        #expect(result.duration < .seconds(25))
        // The daemon itself is left alone: hooks may start services on purpose.
        #expect(daemon != nil)
    }

    @Test func cancellationCallbackTerminatesTheGroup() async throws {
        let result = try await runProcess(shell("sleep 1000"), onLine: { _, _ in }, isCancelled: { true })
        #expect(result.cancelled)
        #expect(!result.timedOut)
        #expect(result.termination == .signaled(SIGTERM))
    }

    @Test func taskCancellationTerminatesTheGroup() async throws {
        let lines = LineCollector()
        let task = Task { try await runProcess(shell("echo go; sleep 1000"), onLine: lines.onLine) }
        while !lines.contains("go") { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        let result = try await task.value
        #expect(result.cancelled)
        #expect(result.termination == .signaled(SIGTERM))
    }

    @Test func endlessWriterLeftBehindDoesNotHang() async throws {
        let counter = LineCounter()
        var spec = shell("yes flood & echo $! >&2")
        spec.lingerGrace = .milliseconds(200)
        let result = try await runProcess(spec, onLine: counter.onLine)
        if let pid = counter.firstStderrLine.flatMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        #expect(result.outputLeftOpen)
        #expect(result.termination == .exited(0))
        #expect(counter.stdoutLines > 0)
    }

    @Test func timeoutFiresWhileOutputNeverStops() async throws {
        let counter = LineCounter()
        let result = try await runProcess(shell("yes flood", timeout: .milliseconds(500)), onLine: counter.onLine)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGTERM))
        #expect(counter.stdoutLines > 0)
    }
}
