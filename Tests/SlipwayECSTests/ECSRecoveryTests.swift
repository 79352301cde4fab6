import Foundation
import Testing
import SlipwayAWS
import SlipwayTestSupport

/// Crashes and retries: a runner killed mid-shift and resumed, and every plugin step called
/// twice for the same deployment (what a resume does to the step that was in flight).
@Suite struct ECSRecoveryTests {
    @Test func aRunnerKilledMidShiftIsResumedToTheEnd() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "{linear: {percent: 20, interval: 5s}}")
        defer { project.remove() }
        let watcher = try await WeightWatcher(fixture)
        let runner = try project.start(["run", "pipelines/shop.yml"])
        // SIGKILL: no cleanup, no journal entry for the step in flight, the lock left behind.
        let reached = await project.kill(runner, whenOutputContains: "baking 40%")
        _ = await project.finish(runner)
        #expect(reached)
        let id = try await project.latestDeployment()
        let killedAt = try await fixture.productionWeights()
        #expect(killedAt != [0, 100] && killedAt != [100, 0], "killed too late or too early: \(killedAt)")

        let resumed = try await project.run(["resume", "pipelines/shop.yml", id])
        let observed = await watcher.stop()
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("resuming \(id)"))
        // The shift went on from where it was (never back to 0%), and ended on green.
        let greens = observed.map { $0[1] }
        #expect(greens == greens.sorted(), "\(observed)")
        #expect(observed.last == [0, 100])
        let service = try await fixture.currentService()
        #expect(service.taskSets.count == 1)
        #expect(service.primaryTaskSet?.externalId == id)
        let status = try await project.run(["status", "pipelines/shop.yml", id])
        #expect(status.output.contains("\(id): stage prod, succeeded"), "\(status.output)")
    }

    @Test func aKilledRunnerCanBeRolledBackInstead() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "{canary: {percent: 10, interval: 10m}}")
        defer { project.remove() }
        let watcher = try await WeightWatcher(fixture)
        let runner = try project.start(["run", "pipelines/shop.yml"])
        let reached = await project.kill(runner, whenOutputContains: "baking 10%")
        _ = await project.finish(runner)
        _ = await watcher.stop()
        #expect(reached)
        let id = try await project.latestDeployment()
        let rolledBack = try await project.run(["resume", "pipelines/shop.yml", id, "--rollback"])
        #expect(rolledBack.status == 3, "\(rolledBack.output)")
        let service = try await fixture.currentService()
        #expect(service.taskSets.map(\.arn) == [fixture.blueTaskSet])
        #expect(try await fixture.productionWeights() == [100, 0])
        #expect(try await fixture.weights(fixture.testListener) == [100, 0])
    }

    /// prepare twice for one deployment: the runner is killed while the replacement task set
    /// starts (before "prepared" reaches the journal), so resume calls prepare again — which
    /// must find the task set carrying the deployment id, not create a second one.
    @Test func aRunnerKilledWhileTheReplacementStartsResumesWithoutASecondTaskSet() async throws {
        let fixture = try await ECSFixture.make()
        // Not stable until the test says so: the runner sits in the stability wait.
        let project = try ECSProject(fixture, strategy: "CodeDeployDefault.ECSAllAtOnce",
                                     with: ["stability: {timeout: 5m, interval: 200ms, command: 'test -f ready'}"])
        defer { project.remove() }
        let runner = try project.start(["run", "pipelines/shop.yml"])
        var started = false
        for _ in 0..<1200 where !started {
            started = (try? await fixture.currentService().taskSets.count) == 2
            if !started { try await Task.sleep(for: .milliseconds(100)) }
        }
        kill(runner.processIdentifier, SIGKILL)
        _ = await project.finish(runner)
        #expect(started)
        let id = try await project.latestDeployment()
        #expect(FileManager.default.createFile(atPath: project.root + "/ready", contents: nil))

        let resumed = try await project.run(["resume", "pipelines/shop.yml", id])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("already exists (a retried step)"), "\(resumed.output)")
        let service = try await fixture.currentService()
        #expect(service.taskSets.count == 1)
        #expect(service.primaryTaskSet?.externalId == id)
        #expect(try await fixture.productionWeights() == [0, 100])
    }
}
