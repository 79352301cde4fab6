import Foundation
import Testing
@testable import SlipwayCore

/// The EC2 plugin's load balancer and blue/green settings as the runner sees them over the C ABI:
/// the manifest's target types and the schemas that check `with:` before anything runs.
@Suite struct EC2TrafficSchemaTests {
    let plugin: LoadedPlugin

    init() throws {
        plugin = try PluginLoader().load(path: PluginFixtures.buildFolder + "/libSlipwayEC2.so")
    }

    @Test func asgBlueGreenIsATrafficTargetOfTheSamePlugin() {
        let target = plugin.manifest.targetType("asg-bluegreen")
        #expect(target?.primitives == .traffic)
        #expect(target?.methods == ["prepare", "setWeight", "promote", "cleanup", "abort"])
        // In place, the load balancer work runs inside deployHost (CodeDeploy's order), so the
        // runner's blockTraffic / allowTraffic around it are not offered.
        #expect(plugin.manifest.targetType("ec2")?.methods == ["discover", "deployHost"])
    }

    @Test func loadBalancerSettingsAreCheckedOnInPlaceStages() {
        let schema = plugin.manifest.targetType("ec2")?.configSchema ?? .null
        let good: ConfigValue = .object([
            "hosts": .array([.object(["id": .string("web-1"), "instanceId": .string("i-0123456789abcdef0")])]),
            "loadBalancer": .object(["targetGroups": .array([.string("web-tg")]), "pollInterval": .number(0.5)]),
        ])
        #expect(JSONSchemaValidator(schema: schema).validate(good).isEmpty)
        let bad: ConfigValue = .object([
            "hosts": .array([.object(["id": .string("web-1"), "instanceId": .string("web-1")])]),
            "loadBalancer": .object(["targetGroups": .array([]), "drain": .number(3)]),
        ])
        #expect(JSONSchemaValidator(schema: schema).validate(bad).map(\.path)
            == ["with.hosts[0].instanceId", "with.loadBalancer.drain", "with.loadBalancer.targetGroups"])
    }

    @Test func blueGreenSettingsAreCheckedAndInPlaceOnlySettingsRefused() {
        let schema = plugin.manifest.targetType("asg-bluegreen")?.configSchema ?? .null
        let good: ConfigValue = .object([
            "discover": .object(["autoScalingGroup": .string("web")]),
            "blueGreen": .object([
                "listener": .string("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2"),
                "targetGroupPair": .array([.string("a"), .string("b")]),
                "blueInstances": .object(["action": .string("KEEP_ALIVE"), "waitSeconds": .number(60)]),
            ]),
        ])
        #expect(JSONSchemaValidator(schema: schema).validate(good).isEmpty)
        let bad: ConfigValue = .object([
            "loadBalancer": .object(["targetGroups": .array([.string("t")])]),
            "blueGreen": .object([
                "targetGroupPair": .array([.string("a")]),
                "blueInstances": .object(["action": .string("STOP")]),
            ]),
        ])
        #expect(JSONSchemaValidator(schema: schema).validate(bad).map(\.path)
            == ["with.blueGreen.blueInstances.action", "with.blueGreen.targetGroupPair", "with.loadBalancer"])
    }
}
