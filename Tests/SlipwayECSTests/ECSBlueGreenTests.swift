import Foundation
import Testing
import SlipwayAWS
import SlipwayTestSupport

/// The ECS plugin end to end: the real `slipway` binary deploys a blue/green ECS service in
/// moto, while the test watches the production listener's weights change.
@Suite struct ECSBlueGreenTests {
    /// Each strategy, and the weight pairs [blue, green] the production listener must show, in
    /// order. A checkpoint gate (BakeCheckpoints) holds every bake while the test reads the
    /// listener, so no step can go unseen however loaded the machine and moto are.
    static let strategies: [(String, [[Int]])] = [
        ("{canary: {percent: 10, interval: 2s}}", [[100, 0], [90, 10], [0, 100]]),
        ("{linear: {percent: 40, interval: 2s}}", [[100, 0], [60, 40], [20, 80], [0, 100]]),
        ("{steps: [{percent: 25, bake: 2s}, {percent: 50, bake: 2s}]}", [[100, 0], [75, 25], [50, 50], [0, 100]]),
        ("CodeDeployDefault.ECSAllAtOnce", [[100, 0], [0, 100]]),
    ]

    @Test(arguments: strategies)
    func weightsMoveStepByStepThenTheReplacementIsPrimary(_ strategy: String, _ expected: [[Int]]) async throws {
        let fixture = try await ECSFixture.make()
        let checkpoints = try BakeCheckpoints()
        defer { checkpoints.remove() }
        let project = try ECSProject(fixture, strategy: strategy, stageLines: ["gates:", "  - \(checkpoints.gateYAML)"])
        defer { project.remove() }
        var observed = [try await fixture.weights(fixture.productionListener)]
        let process = try project.start(["run", "pipelines/shop.yml"])
        var probe = 1
        while try await checkpoints.waitFor(probe, while: { process.isRunning }) {
            let weights = try await fixture.weights(fixture.productionListener)
            if observed.last != weights { observed.append(weights) }
            checkpoints.release(probe)
            probe += 1
        }
        let result = await project.finish(process)
        let final = try await fixture.weights(fixture.productionListener)
        if observed.last != final { observed.append(final) }
        #expect(result.status == 0, "\(result.output)")
        // What the listener showed: exactly the steps, in order.
        #expect(observed == expected, "\(observed)")
        let id = try await project.latestDeployment()
        let service = try await fixture.currentService()
        // Only the replacement is left, primary, on the second group, running the new image.
        #expect(service.taskSets.count == 1)
        let primary = try #require(service.primaryTaskSet)
        #expect(primary.externalId == id)
        #expect(primary.targetGroups == [fixture.targetGroups[1]])
        #expect(try await fixture.weights(fixture.testListener) == [0, 100])
        // taskdef.json's <IMAGE> was filled from the pipeline's variable.
        #expect(try await fixture.ecs.containerImages(ofTaskDefinition: primary.taskDefinition) == ["web": "web:green"])
    }

    /// The repository's own pipelines/ecs-bluegreen.yml and demo/ecs/app, as the README runs
    /// them, with the ECS_* variables demo/ecs/setup-emulator.py would print.
    @Test func theShippedPipelineRuns() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(repositoryFiles: ["pipelines/ecs-bluegreen.yml", "demo/ecs/app"], environment: [
            "AWS_ENDPOINT_URL": fixture.endpoint, "ECS_ENDPOINT": fixture.endpoint, "ECS_CLUSTER": fixture.cluster,
            "ECS_TARGET_GROUP_BLUE": fixture.targetGroups[0], "ECS_TARGET_GROUP_GREEN": fixture.targetGroups[1],
            "ECS_PRODUCTION_LISTENER": fixture.productionListener, "ECS_TEST_LISTENER": fixture.testListener,
            "ECS_SUBNET_A": fixture.subnets[0], "ECS_SUBNET_B": fixture.subnets[1], "ECS_SECURITY_GROUP": fixture.securityGroup,
        ])
        defer { project.remove() }
        #expect(try await project.run(["validate", "pipelines/ecs-bluegreen.yml", "demo/ecs/app/appspec.yaml"]).status == 0)
        let result = try await project.run(["run", "pipelines/ecs-bluegreen.yml", "--var", "IMAGE=web:1.28"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("keeping the original task set for 5s"))
        let service = try await fixture.currentService()
        #expect(service.taskSets.count == 1)
        #expect(service.primaryTaskSet?.targetGroups == [fixture.targetGroups[1]])
        #expect(try await fixture.productionWeights() == [0, 100])
        let definition = try #require(service.primaryTaskSet?.taskDefinition)
        #expect(try await fixture.ecs.containerImages(ofTaskDefinition: definition) == ["web": "web:1.28"])
    }

    @Test func theNextDeploymentGoesBackToTheFirstTargetGroup() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "CodeDeployDefault.ECSAllAtOnce")
        defer { project.remove() }
        #expect(try await project.run(["run", "pipelines/shop.yml"]).status == 0)
        let first = try #require(try await fixture.currentService().primaryTaskSet)
        // Running the same pipeline again is a new deployment: blue/green alternate.
        let again = try await project.run(["run", "pipelines/shop.yml"])
        #expect(again.status == 0, "\(again.output)")
        let service = try await fixture.currentService()
        #expect(service.taskSets.count == 1)
        #expect(service.primaryTaskSet?.arn != first.arn)
        #expect(service.primaryTaskSet?.targetGroups == [fixture.targetGroups[0]])
        #expect(try await fixture.productionWeights() == [100, 0])
    }

    @Test func aStabilityTimeoutRollsBackBeforeAnyTraffic() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "CodeDeployDefault.ECSAllAtOnce",
                                     with: ["stability: {timeout: 2s, interval: 500ms, command: 'echo tasks still starting; false'}"])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/shop.yml"])
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("did not become stable within 2s: stability command failed (exited with code 1): tasks still starting"))
        try await expectBlueRestored(fixture)
    }

    @Test func anAlarmDuringTheCanaryRollsBack() async throws {
        let fixture = try await ECSFixture.make()
        let alarm = EC2Fixtures.unique("errors")
        let cloudWatch = CloudWatchClient(client: fixture.client)
        try await cloudWatch.putMetricAlarm(alarm, metric: "Errors", namespace: "Shop", threshold: 1)
        let project = try ECSProject(fixture, strategy: "{canary: {percent: 10, interval: 10m}}",
                                     stageLines: ["gates: [{alarm: \(alarm), interval: 200ms}]"])
        defer { project.remove() }
        let watcher = try await WeightWatcher(fixture)
        let runner = try project.start(["run", "pipelines/shop.yml"])
        // The runner says so once 10% is set and the gate is being polled.
        let shifted = await project.waitForOutput(of: runner, containing: "baking 10%")
        try await cloudWatch.setAlarmState(alarm, state: "ALARM", reason: "test: errors at 10%")
        let result = await project.finish(runner)
        let observed = await watcher.stop()
        #expect(shifted, "\(observed) \(result.output)")
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("gate alarm \(alarm) failed: alarm \(alarm) is in ALARM"), "\(result.output)")
        #expect(observed.contains([90, 10]))
        #expect(observed.last == [100, 0])
        try await expectBlueRestored(fixture)
    }

    @Test func anInvalidAppSpecIsReportedAtItsPosition() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "CodeDeployDefault.ECSAllAtOnce", files: ["app/appspec.yaml": """
            version: 0.0
            Resources:
              - TargetService:
                  Type: AWS::ECS::Service
                  Properties:
                    TaskDefinition: <TASK_DEFINITION>
                    LoadBalancerInfo: {ContainerName: web, ContainerPort: 0}
            """])
        defer { project.remove() }
        let checked = try await project.run(["validate", "app/appspec.yaml"])
        #expect(checked.status == 1)
        #expect(checked.output.contains("app/appspec.yaml:7:63: Resources[0].TargetService.Properties.LoadBalancerInfo.ContainerPort: 0 is out of range (1–65535)"), "\(checked.output)")
        // A deployment of that revision stops before it creates anything, and says why.
        let result = try await project.run(["run", "pipelines/shop.yml"])
        #expect(result.status == 3)
        #expect(result.output.contains("ContainerPort: 0 is out of range"))
        try await expectBlueRestored(fixture)
    }

    @Test func aPlaceholderWithoutAValueStopsBeforeAnythingChanges() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "CodeDeployDefault.ECSAllAtOnce", with: ["placeholders: {OTHER: x}"])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/shop.yml"])
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("taskdef.json has placeholder <IMAGE> with no value: add it to with.placeholders"))
        try await expectBlueRestored(fixture)
    }

    @Test func aDryRunChangesNothing() async throws {
        let fixture = try await ECSFixture.make()
        let project = try ECSProject(fixture, strategy: "{canary: {percent: 10, interval: 5m}}")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/shop.yml", "--dry-run"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("create a replacement task set of web"))
        #expect(try await fixture.currentService().taskSets.map(\.arn) == [fixture.blueTaskSet])
    }

    /// After a rollback: only the original task set, primary; both listeners on the first group.
    func expectBlueRestored(_ fixture: ECSFixture) async throws {
        let service = try await fixture.currentService()
        #expect(service.taskSets.map(\.arn) == [fixture.blueTaskSet])
        #expect(service.primaryTaskSet?.arn == fixture.blueTaskSet)
        #expect(try await fixture.productionWeights() == [100, 0])
        #expect(try await fixture.weights(fixture.testListener) == [100, 0])
    }
}
