import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// Hooks, alarms, re-runs and killed runners: the alias always ends on one version with no
/// routing, the new one or the old one.
// Serialized: each test runs the binary and polls the emulator; one at a time is kinder to a
// 2-core machine shared with the rest of the suite.
@Suite("Lambda hooks, rollback and recovery", .serialized)
struct LambdaRollbackTests {
    typealias State = LambdaFixture.AliasState

    static let hookStage = """
        strategy: {canary: {percent: 10, interval: 1s}}
        hooks:
          BeforeAllowTraffic: [PreTrafficHook]
          AfterAllowTraffic: [PostTrafficHook]
    """

    /// Runs with the hooks answering `answers` (in invoke order) and nothing else invoking.
    func runWithHooks(_ answers: [String]) async throws -> (LambdaFixture, LambdaFixture.Result) {
        let fixture = try await LambdaFixture.make(stage: Self.hookStage)
        for hook in ["PreTrafficHook", "PostTrafficHook"] {
            // Shared by the tests; a concurrent test may create it first.
            if try await fixture.lambda.functionIfExists(hook) == nil {
                _ = try? await MotoLambda.createFunction(hook, files: ["index.py": "def handler(e, c): return {'status': 'Succeeded'}\n"],
                                                         client: fixture.client)
            }
        }
        let result = try await MotoLambda.withInvokeLock {
            try await MotoLambda.queueInvokeResponses(answers, endpoint: fixture.endpoint)
            return try await fixture.run(["run", "pipelines/app.yml"])
        }
        return (fixture, result)
    }

    @Test("hooks that return Succeeded let the deployment finish on the new version")
    func passingHooks() async throws {
        let (fixture, result) = try await runWithHooks([#"{"status": "Succeeded"}"#, #"{"status": "Succeeded"}"#])
        defer { fixture.remove() }
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("BeforeAllowTraffic hook PreTrafficHook: Succeeded"), "\(result.output)")
        #expect(result.output.contains("AfterAllowTraffic hook PostTrafficHook: Succeeded"), "\(result.output)")
        #expect(try await fixture.aliasState() == State(version: "2", weights: [:]))
    }

    @Test("a failing pre-traffic hook rolls back before any traffic moves")
    func failingPreTrafficHook() async throws {
        let (fixture, result) = try await runWithHooks([#"{"status": "Failed"}"#])
        defer { fixture.remove() }
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("BeforeAllowTraffic hook PreTrafficHook failed: it returned status \"Failed\""), "\(result.output)")
        #expect(result.output.contains("rolledBack"), "\(result.output)")
        #expect(try await fixture.aliasState() == State(version: "1", weights: [:]))
    }

    @Test("a failing post-traffic hook sends all traffic back to the old version")
    func failingPostTrafficHook() async throws {
        let (fixture, result) = try await runWithHooks([#"{"status": "Succeeded"}"#, #"{"status": "Failed"}"#])
        defer { fixture.remove() }
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("AfterAllowTraffic hook PostTrafficHook failed"), "\(result.output)")
        // It had been promoted (the post-traffic hook runs after all traffic moved) and is back.
        #expect(result.output.contains("alias live: 100% on version 2"), "\(result.output)")
        #expect(try await fixture.aliasState() == State(version: "1", weights: [:]))
    }

    @Test("an alarm going to ALARM mid-canary rolls the alias back")
    func alarmMidCanary() async throws {
        let alarm = "LambdaErrors-\(UUID().uuidString.prefix(8))"
        let fixture = try await LambdaFixture.make(stage: """
            strategy: {canary: {percent: 10, interval: 10m}}
            gates:
              - alarm: \(alarm)
                interval: 1s
        """)
        defer { fixture.remove() }
        let cloudWatch = CloudWatchClient(client: fixture.client)
        try await cloudWatch.putMetricAlarm(alarm, metric: "Errors", namespace: "Slipway/LambdaTest", threshold: 1)
        try await cloudWatch.setAlarmState(alarm, state: "OK", reason: "starting")
        let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
        let canary = try await fixture.waitForAlias(process, log: log) { $0.weights == ["2": 0.1] }
        #expect(canary.version == "1")
        try await cloudWatch.setAlarmState(alarm, state: "ALARM", reason: "errors above threshold")
        let result = try await fixture.wait(process, log: log)
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("alarm \(alarm) is in ALARM"), "\(result.output)")
        #expect(try await fixture.aliasState() == State(version: "1", weights: [:]))
    }

    @Test("a second run of the same revision publishes nothing and leaves the alias as it was")
    func rerunChangesNothing() async throws {
        let checkpoints = try BakeCheckpoints()
        defer { checkpoints.remove() }
        let fixture = try await LambdaFixture.make(stage: "    strategy: {canary: {percent: 10, interval: 1s}}\n    gates:\n      - \(checkpoints.gateYAML)")
        defer { fixture.remove() }
        let (firstProcess, firstLog) = try fixture.start(["run", "pipelines/app.yml"])
        _ = try await fixture.observe(firstProcess, startingWith: nil, checkpoints: checkpoints)
        let first = try await fixture.wait(firstProcess, log: firstLog)
        #expect(first.status == 0, "\(first.output)")
        let alias = try await fixture.lambda.alias(fixture.function, name: LambdaFixture.alias)
        let versions = try await fixture.publishedVersions()
        let code = try await fixture.lambda.functionConfiguration(fixture.function).codeSha256

        let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
        let seen = try await fixture.observe(process, startingWith: try await fixture.aliasState(), checkpoints: checkpoints)
        let second = try await fixture.wait(process, log: log)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("version 2 already holds this code"), "\(second.output)")
        #expect(seen == [State(version: "2", weights: [:])], "\(seen)")
        #expect(try await fixture.publishedVersions() == versions)
        #expect(try await fixture.lambda.alias(fixture.function, name: LambdaFixture.alias) == alias)
        #expect(try await fixture.lambda.functionConfiguration(fixture.function).codeSha256 == code)

        // A changed revision then goes out as version 3, shifted from 2.
        try fixture.setCode("v2")
        checkpoints.letEveryProbePass()
        let third = try await fixture.run(["run", "pipelines/app.yml"])
        #expect(third.status == 0, "\(third.output)")
        #expect(try await fixture.aliasState() == State(version: "3", weights: [:]))
    }

    @Test("a runner killed mid-canary is resumed to the end, or rolled back, with a consistent alias")
    func killedRunner() async throws {
        for rollBack in [false, true] {
            // The checkpoint gate holds the canary's bake: the runner is killed while the alias is split.
            let checkpoints = try BakeCheckpoints()
            defer { checkpoints.remove() }
            let fixture = try await LambdaFixture.make(stage: "    strategy: {canary: {percent: 10, interval: 2s}}\n    gates:\n      - \(checkpoints.gateYAML)")
            defer { fixture.remove() }
            let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
            let reached = try await checkpoints.waitFor(1) { process.isRunning }
            #expect(reached, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            kill(process.processIdentifier, SIGKILL)
            _ = try await fixture.wait(process, log: log)
            checkpoints.letEveryProbePass()  // the resumed run is not held
            // Killed mid-canary: the alias is left split until someone finishes the deployment.
            #expect(try await fixture.aliasState() == State(version: "1", weights: ["2": 0.1]))
            let id = try #require(try await fixture.inProgressDeployment())

            let resumed = try await fixture.run(["resume", "pipelines/app.yml", id] + (rollBack ? ["--rollback"] : []))
            if rollBack {
                #expect(resumed.status == 3, "\(resumed.output)")
                #expect(try await fixture.aliasState() == State(version: "1", weights: [:]))
            } else {
                #expect(resumed.status == 0, "\(resumed.output)")
                #expect(try await fixture.aliasState() == State(version: "2", weights: [:]))
            }
            // Resuming published nothing more.
            #expect(try await fixture.publishedVersions() == ["1", "2"])
            #expect(try await fixture.inProgressDeployment() == nil)
        }
    }

    @Test("rollback redeploys the previous revision by shifting back to its version: nothing published")
    func rollbackCommand() async throws {
        let checkpoints = try BakeCheckpoints()
        defer { checkpoints.remove() }
        let fixture = try await LambdaFixture.make(stage: "    strategy: {linear: {percent: 50, interval: 1s}}\n    gates:\n      - \(checkpoints.gateYAML)")
        defer { fixture.remove() }
        for code in ["v1", "v2"] {
            try fixture.setCode(code)
            let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
            _ = try await fixture.observe(process, startingWith: nil, checkpoints: checkpoints)
            #expect(try await fixture.wait(process, log: log).status == 0)
        }
        #expect(try await fixture.aliasState() == State(version: "3", weights: [:]))
        let (process, log) = try fixture.start(["rollback", "pipelines/app.yml", "--stage", "api"])
        let seen = try await fixture.observe(process, startingWith: State(version: "3", weights: [:]), checkpoints: checkpoints)
        let result = try await fixture.wait(process, log: log)
        #expect(result.status == 0, "\(result.output)")
        // Version 2 holds the first revision's code: the alias shifts back to it, step by step.
        #expect(seen == [State(version: "3", weights: [:]), State(version: "3", weights: ["2": 0.5]), State(version: "2", weights: [:])], "\(seen)")
        #expect(try await fixture.publishedVersions() == ["1", "2", "3"])
    }

    @Test("a zip above Lambda's direct-upload limit from a file store is refused with the way out")
    func oversizedZip() async throws {
        let fixture = try await LambdaFixture.make(stage: "    strategy: CodeDeployDefault.LambdaAllAtOnce")
        defer { fixture.remove() }
        // 51 MB of random bytes, stored (incompressible either way).
        let script = "import os, zipfile; z = zipfile.ZipFile('big.zip', 'w', zipfile.ZIP_STORED); z.writestr('blob', os.urandom(51 * 1024 * 1024)); z.close()"
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script]
        python.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        try python.run()
        while python.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(python.terminationStatus == 0)
        let result = try await fixture.run(["deploy", "pipelines/app.yml", "--stage", "api", "--revision", "big.zip"])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("Lambda takes at most 50.0 MB uploaded directly; use an S3 store"), "\(result.output)")
        #expect(try await fixture.publishedVersions().isEmpty)
        #expect(try await fixture.aliasState() == nil)
    }
}
