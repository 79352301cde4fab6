import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// A blue/green runner killed (SIGKILL) while 10% of the traffic is on green: its journal holds
/// the plugin's state, so `resume` finishes on the same green group and `resume --rollback`
/// sends the traffic back to blue and removes green.
@Suite struct BlueGreenRecoveryCLITests {
    let tests = BlueGreenCLITests()

    /// A canary whose 10% bake is held by `checkpoints` (BakeCheckpoints) until the test acts.
    func canaryProject(_ setup: BlueGreenCLITests.Setup, checkpoints: BakeCheckpoints) throws -> Project {
        let (blueTG, greenTG) = (setup.lb.targetGroups[0], setup.lb.targetGroups[1])
        return try tests.project(setup, strategy: "{steps: [{percent: 10, bake: 2s}]}",
                                 blueGreen: "{listener: \"\(setup.lb.listener.arn)\", targetGroupPair: [\(blueTG.name), \(greenTG.name)], pollInterval: 0.1}",
                                 gates: "    gates:\n      - \(checkpoints.gateYAML)")
    }

    /// Starts `slipway run` and kills it while the checkpoint holds the 10% bake; afterwards
    /// the checkpoints let every probe pass, so a resumed run is not held.
    func runAndKillAtTenPercent(_ setup: BlueGreenCLITests.Setup, _ project: Project, _ checkpoints: BakeCheckpoints) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["run", "pipelines/app.yml"]
        process.currentDirectoryURL = URL(fileURLWithPath: project.root)
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": project.root]
        environment.merge(slipwayAWSEnvironment) { _, new in new }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reached = try await checkpoints.waitFor(1) { process.isRunning }
        #expect(reached, "the runner ended before the traffic reached 10%")
        let weights = try await setup.elb.listeners(arns: [setup.lb.listener.arn]).first?.defaultActions.first?.forwardWeights
        #expect(weights?[setup.lb.targetGroups[1].arn] == 10)
        kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit(process)
        checkpoints.letEveryProbePass()
        let history = try await project.run(["history", "pipelines/app.yml"])
        let line = try #require(history.stdout.split(separator: "\n").first { $0.contains("inProgress") })
        return String(line.prefix { $0 != " " })
    }

    @Test func aKilledRunIsResumedOnTheSameGreenGroup() async throws {
        let setup = try await tests.setup(targetGroupCount: 2)
        let checkpoints = try BakeCheckpoints()
        defer { checkpoints.remove() }
        let project = try canaryProject(setup, checkpoints: checkpoints)
        defer { project.remove() }
        let id = try await runAndKillAtTenPercent(setup, project, checkpoints)
        let greenName = "\(setup.blue)-\(id)"
        #expect(try await setup.asg.groups(names: [greenName]).count == 1)

        let resumed = try await project.run(["resume", "pipelines/app.yml", id], environment: slipwayAWSEnvironment)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        // The journal said prepared: no second copy was made, and green now has everything.
        #expect(!resumed.stdout.contains("copying "))
        let weights = try await setup.elb.listeners(arns: [setup.lb.listener.arn]).first?.defaultActions.first?.forwardWeights
        #expect(weights == [setup.lb.targetGroups[0].arn: 0, setup.lb.targetGroups[1].arn: 100])
        #expect(try await tests.lineage(setup).map(\.name) == [greenName])
    }

    @Test func aKilledRunIsRolledBackToBlue() async throws {
        let setup = try await tests.setup(targetGroupCount: 2)
        let checkpoints = try BakeCheckpoints()
        defer { checkpoints.remove() }
        let project = try canaryProject(setup, checkpoints: checkpoints)
        defer { project.remove() }
        let id = try await runAndKillAtTenPercent(setup, project, checkpoints)

        let rolledBack = try await project.run(["resume", "pipelines/app.yml", id, "--rollback"], environment: slipwayAWSEnvironment)
        #expect(rolledBack.status == 3, "\(rolledBack.stdout)\n\(rolledBack.stderr)")
        #expect(rolledBack.stdout.contains("rolledBack"))
        let weights = try await setup.elb.listeners(arns: [setup.lb.listener.arn]).first?.defaultActions.first?.forwardWeights
        #expect(weights == [setup.lb.targetGroups[0].arn: 100, setup.lb.targetGroups[1].arn: 0])
        #expect(try await tests.lineage(setup).map(\.name) == [setup.blue])
        #expect(try await tests.healthy(setup, 0) == Set(setup.blueInstances))
        #expect(try await tests.healthy(setup, 1).isEmpty)
    }
}
