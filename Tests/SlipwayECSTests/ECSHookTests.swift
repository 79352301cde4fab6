import Foundation
import Testing
import SlipwayAWS
import SlipwayTestSupport

/// Lifecycle hooks as Lambda functions (the CodeDeploy contract: a hook passes when it returns
/// {"status": "Succeeded"}), from the stage's `hooks:` and from the revision's appspec. moto
/// never runs function code, so each test queues the answers its invokes get, holding the
/// process-wide invoke lock (MotoLambda) from queuing to the last invoke.
@Suite struct ECSHookTests {
    /// Function names are unique per test: the moto server is shared.
    static func appSpec(before: String, after: String) -> String {
        """
    version: 0.0
    Resources:
      - TargetService:
          Type: AWS::ECS::Service
          Properties:
            TaskDefinition: <TASK_DEFINITION>
            LoadBalancerInfo: {ContainerName: web, ContainerPort: 80}
    Hooks:
      - BeforeInstall: \(before)
      - AfterInstall: \(after)
    """
    }

    @Test func hooksRunInCodeDeploysOrder() async throws {
        let fixture = try await ECSFixture.make()
        let names = ["checkQuota", "warmCache", "smokeTest", "preTraffic", "postTraffic"].map(EC2Fixtures.unique)
        for name in names {
            try await MotoLambda.createFunction(name, files: ["index.py": "def handler(e, c):\n    return {'status': 'Succeeded'}\n"], client: fixture.client)
        }
        let project = try ECSProject(fixture, strategy: "CodeDeployDefault.ECSAllAtOnce", stageLines: [
            "hooks: {AfterAllowTestTraffic: \(names[2]), BeforeAllowTraffic: \(names[3]), AfterAllowTraffic: \(names[4])}",
        ], files: ["app/appspec.yaml": Self.appSpec(before: names[0], after: names[1])])
        defer { project.remove() }
        let result = try await MotoLambda.withInvokeLock {
            try await MotoLambda.queueInvokeResponses(Array(repeating: #"{"status": "Succeeded"}"#, count: 5), endpoint: fixture.endpoint)
            return try await project.run(["run", "pipelines/shop.yml"])
        }
        #expect(result.status == 0, "\(result.output)")
        let order = ["BeforeInstall: invoking \(names[0])", "created replacement task set", "AfterInstall: invoking \(names[1])",
                     "test listener forwards to", "AfterAllowTestTraffic: invoking \(names[2])", "BeforeAllowTraffic: invoking \(names[3])",
                     "production listener: 0%", "primary task set:", "AfterAllowTraffic: invoking \(names[4])", "deleted the original task set"]
        let positions = order.map { result.output.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil), "\(result.output)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(result.output)")
    }

    @Test func aFailingTestTrafficHookRollsBackBeforeProductionTraffic() async throws {
        let fixture = try await ECSFixture.make()
        let smokeTest = EC2Fixtures.unique("smokeTest")
        try await MotoLambda.createFunction(smokeTest, files: ["index.py": "def handler(e, c):\n    return {'status': 'Failed'}\n"], client: fixture.client)
        let project = try ECSProject(fixture, strategy: "{canary: {percent: 10, interval: 5m}}",
                                     stageLines: ["hooks: {AfterAllowTestTraffic: \(smokeTest)}"])
        defer { project.remove() }
        let watcher = try await WeightWatcher(fixture)
        let result = try await MotoLambda.withInvokeLock {
            try await MotoLambda.queueInvokeResponses([#"{"status": "Failed"}"#], endpoint: fixture.endpoint)
            return try await project.run(["run", "pipelines/shop.yml"])
        }
        let observed = await watcher.stop()
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("AfterAllowTestTraffic hook \(smokeTest) failed"), "\(result.output)")
        // Production never saw the replacement; test traffic went back to blue.
        #expect(!observed.contains { $0[1] > 0 }, "\(observed)")
        let service = try await fixture.currentService()
        #expect(service.taskSets.map(\.arn) == [fixture.blueTaskSet])
        #expect(try await fixture.weights(fixture.testListener) == [100, 0])
    }
}
