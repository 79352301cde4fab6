import Foundation
import Testing
@testable import SlipwayProcess

@Suite struct ExitStatusTests {
    @Test func zeroExitSucceeds() async throws {
        let result = try await runProcess(shell("exit 0"), onLine: { _, _ in })
        #expect(result.termination == .exited(0))
        #expect(result.succeeded)
        #expect(!result.timedOut && !result.cancelled && !result.outputLeftOpen)
    }

    @Test func nonZeroExitCodeIsReported() async throws {
        let result = try await runProcess(shell("exit 3"), onLine: { _, _ in })
        #expect(result.termination == .exited(3))
        #expect(!result.succeeded)
    }

    @Test func deathBySignalIsReported() async throws {
        let result = try await runProcess(shell("kill -USR1 $$"), onLine: { _, _ in })
        #expect(result.termination == .signaled(SIGUSR1))
        #expect(!result.succeeded)
    }

    @Test func childIsReapedBeforeReturning() async throws {
        let lines = LineCollector()
        _ = try await runProcess(shell("echo $$"), onLine: lines.onLine)
        let pid = try #require(lines.lines(.stdout).first.flatMap { pid_t($0) })
        var status: Int32 = 0
        // Already reaped by runProcess: no zombie left for anyone to wait for.
        #expect(waitpid(pid, &status, WNOHANG) == -1)
        #expect(errno == ECHILD)
    }

    @Test func childLeadsItsOwnProcessGroup() async throws {
        let lines = LineCollector()
        _ = try await runProcess(shell("echo $$; cut -d' ' -f5 /proc/$$/stat"), onLine: lines.onLine)
        let output = lines.lines(.stdout)
        try #require(output.count == 2)
        #expect(output[0] == output[1])
        #expect(output[0] != String(getpgrp()))
    }
}
