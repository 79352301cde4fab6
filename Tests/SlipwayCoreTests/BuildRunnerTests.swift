import Foundation
import Testing
import SlipwayEvents
import SlipwayProcess
@testable import SlipwayCore

@Suite struct BuildRunnerTests {
    private let baseEnvironment = ["PATH": "/usr/bin:/bin", "BASE": "base"]

    private func makeWorkspace() throws -> String {
        let path = NSTemporaryDirectory() + "slipway-build-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/app", withIntermediateDirectories: true)
        return path
    }

    private func outputLines(_ events: [Event], scope: String? = nil) -> [String] {
        events.filter { $0.kind == .stepOutput && (scope == nil || $0.scope == scope) }.map(\.message)
    }

    @Test func environmentAndDirectoryAreApplied() async throws {
        let workspace = try makeWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: workspace, environment: baseEnvironment, sink: recorder)
        let step = BuildStep(name: "compile", run: "echo \"$BASE $STEP $SLIPWAY_STEP\"; pwd -P", dir: "app", env: ["STEP": "two"])
        let outcomes = try await runner.run([step])
        let expectedDirectory = URL(fileURLWithPath: workspace + "/app").resolvingSymlinksInPath().path
        #expect(outputLines(recorder.events) == ["base two compile", expectedDirectory])
        #expect(outcomes.map(\.step) == ["compile"])
        #expect(outcomes.first?.status == .succeeded)
    }

    @Test func stepEnvironmentOverridesTheBase() async throws {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder)
        _ = try await runner.run([BuildStep(name: "s", run: "echo $BASE", env: ["BASE": "overridden"])])
        #expect(outputLines(recorder.events) == ["overridden"])
    }

    @Test func failingStepStopsTheRun() async throws {
        let workspace = try makeWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: workspace, environment: baseEnvironment, sink: recorder)
        let steps = [
            BuildStep(name: "first", run: "echo one"),
            BuildStep(name: "broken", run: "exit 2"),
            BuildStep(name: "never", run: "touch ran-anyway"),
        ]
        await #expect(throws: BuildError.stepFailed(step: "broken", exitCode: 2)) {
            try await runner.run(steps)
        }
        #expect(!FileManager.default.fileExists(atPath: workspace + "/ran-anyway"))
        #expect(!recorder.events.contains { $0.scope == "build/never" })
        let finished = recorder.events.filter { $0.kind == .stepFinished }
        #expect(finished.map(\.scope) == ["build/first", "build/broken"])
        #expect(finished.map(\.status) == [.succeeded, .failed])
        #expect(finished.last?.message == "exit code 2")
        #expect(BuildError.stepFailed(step: "compile", exitCode: 2).description == "build step \"compile\" failed with exit code 2")
    }

    @Test func timeoutKillsTheStepAndItsChildren() async throws {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder, killGrace: .seconds(1))
        let step = BuildStep(name: "slow", run: "sleep 1000 & echo $!; wait", timeout: .seconds(2))
        await #expect(throws: BuildError.stepTimedOut(step: "slow", after: .seconds(2))) {
            try await runner.run([step])
        }
        let grandchild = try #require(outputLines(recorder.events).first.flatMap { pid_t($0) })
        #expect(!isRunning(grandchild))
        #expect(recorder.events.last?.status == .timedOut)
        #expect(BuildError.stepTimedOut(step: "slow", after: .seconds(2)).description
            == "build step \"slow\" timed out after 2s and was killed")
    }

    @Test func outputReachesTheSinkLineByLineWithTheStepName() async throws {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder)
        _ = try await runner.run([BuildStep(name: "hello", run: "echo one; echo two; echo oops >&2")])
        let events = recorder.events
        #expect(events.first?.kind == .stepStarted)
        #expect(events.first?.message == "echo one; echo two; echo oops >&2")
        #expect(events.last?.kind == .stepFinished)
        #expect(events.last?.status == .succeeded)
        #expect(events.last?.duration != nil)
        let output = events.filter { $0.kind == .stepOutput }
        #expect(output.allSatisfy { $0.scope == "build/hello" })
        #expect(output.filter { $0.stream == "stdout" }.map(\.message) == ["one", "two"])
        #expect(output.filter { $0.stream == "stderr" }.map(\.message) == ["oops"])
    }

    @Test func secretsInOutputAreMaskedByAMaskingSink() async throws {
        let recorder = RecordingSink()
        let masker = SecretMasker(secrets: ["tok-123456"])
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: MaskingSink(recorder, masker: masker))
        _ = try await runner.run([BuildStep(name: "deploy", run: "echo \"token is $TOKEN\"", env: ["TOKEN": "tok-123456"])])
        #expect(outputLines(recorder.events) == ["token is ***"])
        #expect(!recorder.events.contains { $0.message.contains("tok-123456") })
    }

    @Test func missingDirectoryCannotStart() async throws {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder)
        do {
            _ = try await runner.run([BuildStep(name: "nowhere", run: "true", dir: "no-such-dir-\(UUID().uuidString)")])
            Issue.record("expected cannotStart")
        } catch {
            guard case .cannotStart(let step, let reason) = error else { Issue.record("got \(error)"); return }
            #expect(step == "nowhere")
            #expect(reason.contains("does not exist"))
            #expect(error.description.hasPrefix("build step \"nowhere\" could not start: "))
        }
        #expect(recorder.events.last?.status == .failed)
    }

    @Test func stepKilledBySignalIsReported() async {
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: RecordingSink())
        await #expect(throws: BuildError.stepKilled(step: "crash", signal: SIGKILL)) {
            try await runner.run([BuildStep(name: "crash", run: "kill -KILL $$")])
        }
        #expect(BuildError.stepKilled(step: "crash", signal: 9).description == "build step \"crash\" was killed by signal 9 (SIGKILL)")
    }

    @Test func cancellationStopsTheRunningStepAndTheRest() async {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder, killGrace: .seconds(1))
        let steps = [BuildStep(name: "long", run: "echo started; sleep 1000"), BuildStep(name: "after", run: "true")]
        let isCancelled: @Sendable () -> Bool = { recorder.events.contains { $0.message == "started" } }
        await #expect(throws: BuildError.cancelled(step: "long")) {
            try await runner.run(steps, isCancelled: isCancelled)
        }
        #expect(recorder.events.last?.status == .cancelled)
        #expect(!recorder.events.contains { $0.scope == "build/after" })
    }

    @Test func cancelledBeforeStartRunsNothing() async {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder)
        await #expect(throws: BuildError.cancelled(step: "first")) {
            try await runner.run([BuildStep(name: "first", run: "true")], isCancelled: { true })
        }
        #expect(recorder.events.isEmpty)
    }

    @Test func allStepsSucceedingReturnsTheirOutcomesInOrder() async throws {
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: RecordingSink())
        let outcomes = try await runner.run([BuildStep(name: "a", run: "true"), BuildStep(name: "b", run: "true")])
        #expect(outcomes.map(\.step) == ["a", "b"])
        #expect(outcomes.map(\.termination) == [.exited(0), .exited(0)])
    }

    @Test func daemonHoldingOutputGivesAWarningNotAHang() async throws {
        let recorder = RecordingSink()
        let runner = BuildRunner(workspace: "/tmp", environment: baseEnvironment, sink: recorder)
        let outcomes = try await runner.run([BuildStep(name: "serve", run: "sleep 30 & echo $!")])
        if let pid = outputLines(recorder.events).first.flatMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        #expect(outcomes.first?.outputLeftOpen == true)
        #expect(outcomes.first?.status == .succeeded)
        let warnings = recorder.events.filter { $0.kind == .warning }
        #expect(warnings.map(\.scope) == ["build/serve"])
        #expect(warnings.first?.message.contains(">/dev/null 2>&1 &") == true)
    }

    @Test func timeoutDescriptionKeepsFractions() {
        #expect(BuildError.format(.milliseconds(1500)) == "1.5s")
        #expect(BuildError.format(.seconds(90)) == "90s")
        #expect(BuildError.format(.milliseconds(250)) == "0.25s")
    }
}

/// Running and not a zombie (orphans re-parented to a non-reaping PID 1 stay zombies).
func isRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
}
