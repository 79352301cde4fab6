import Foundation
import SlipwayTestSupport
import Testing
@testable import SlipwayAWS

/// The ELBv2 client against a real moto_server: describe calls, target registration and
/// health, and weighted forwards on listeners and rules.
@Suite("ELBv2 client against moto")
struct ELBv2MotoTests {
    func client() async throws -> AWSClient {
        let endpoint = try await SharedMoto.endpoint()
        return try testAWSClient(endpoint: endpoint)
    }

    @Test("load balancers, target groups and listeners are found by ARN, by name and by load balancer")
    func describing() async throws {
        let client = try await client()
        let setup = try await ELBFixtures.loadBalancer(client)
        let elb = ELBv2Client(client: client)

        let byName = try await elb.loadBalancers(names: [setup.loadBalancer.name])
        #expect(byName.map(\.arn) == [setup.loadBalancer.arn])
        #expect(byName.first?.type == "application")
        #expect(byName.first?.vpcId == setup.network.vpcId)
        #expect(try await elb.loadBalancers(arns: [setup.loadBalancer.arn]).map(\.name) == [setup.loadBalancer.name])

        let groups = try await elb.targetGroups(arns: setup.targetGroups.map(\.arn))
        #expect(Set(groups.map(\.name)) == Set(setup.targetGroups.map(\.name)))
        #expect(groups.allSatisfy { $0.targetType == "instance" && $0.port == 80 && $0.protocol == "HTTP" })
        // Only the group the listener forwards to belongs to the load balancer.
        let attached = try await elb.targetGroups(loadBalancerArn: setup.loadBalancer.arn)
        #expect(attached.map(\.arn) == [setup.targetGroups[0].arn])
        #expect(attached.first?.loadBalancerArns == [setup.loadBalancer.arn])
        #expect(try await elb.targetGroups(names: [setup.targetGroups[1].name]).map(\.arn) == [setup.targetGroups[1].arn])

        let listeners = try await elb.listeners(loadBalancerArn: setup.loadBalancer.arn)
        #expect(listeners.map(\.arn) == [setup.listener.arn])
        #expect(listeners.first?.port == 80 && listeners.first?.protocol == "HTTP")
        #expect(listeners.first?.defaultActions.first?.forwardWeights == [setup.targetGroups[0].arn: 1])

        await #expect(throws: AWSError.self) { _ = try await elb.loadBalancers(names: [setup.loadBalancer.name + "-missing"]) }
    }

    @Test("registered instances are healthy; deregistered ones come back unused / Target.NotRegistered")
    func registration() async throws {
        let client = try await client()
        let setup = try await ELBFixtures.loadBalancer(client, targetGroupCount: 1)
        let group = setup.targetGroups[0].arn
        let instances = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": EC2Fixtures.unique("elb")])
        let elb = ELBv2Client(client: client)

        try await elb.registerTargets(targetGroupArn: group, targets: instances.map { ELBv2Target(id: $0) })
        let registered = try await elb.targetHealth(targetGroupArn: group)
        #expect(Set(registered.map(\.target.id)) == Set(instances))
        #expect(registered.allSatisfy { $0.state == "healthy" && !$0.isDeregistered })

        try await elb.deregisterTargets(targetGroupArn: group, targets: [ELBv2Target(id: instances[0])])
        #expect(try await elb.targetHealth(targetGroupArn: group).map(\.target.id) == [instances[1]])
        let asked = try await elb.targetHealth(targetGroupArn: group, targets: [ELBv2Target(id: instances[0])])
        #expect(asked.count == 1)
        #expect(asked.first?.state == "unused" && asked.first?.reason == "Target.NotRegistered")
        #expect(asked.first?.isDeregistered == true)

        // A port per target is sent and read back.
        try await elb.registerTargets(targetGroupArn: group, targets: [ELBv2Target(id: instances[0], port: 8080)])
        let ported = try await elb.targetHealth(targetGroupArn: group).first { $0.target.id == instances[0] }
        #expect(ported?.target.port == 8080)
    }

    @Test("a listener's default action becomes a weighted forward; DescribeListeners and DescribeRules show the weights")
    func weightedListener() async throws {
        let client = try await client()
        let setup = try await ELBFixtures.loadBalancer(client)
        let (blue, green) = (setup.targetGroups[0].arn, setup.targetGroups[1].arn)
        let elb = ELBv2Client(client: client)

        let modified = try await elb.modifyListener(arn: setup.listener.arn, defaultActions: [
            .weightedForward([(blue, 90), (green, 10)], stickinessEnabled: false),
        ])
        #expect(modified.defaultActions.first?.forwardWeights == [blue: 90, green: 10])
        let read = try await elb.listeners(arns: [setup.listener.arn])
        let action = try #require(read.first?.defaultActions.first)
        #expect(action.type == "forward")
        #expect(action.forwardTargetGroups?.map(\.targetGroupArn) == [blue, green])
        #expect(action.forwardTargetGroups?.map(\.weight) == [90, 10])
        #expect(action.stickinessEnabled == false)

        let rules = try await elb.rules(listenerArn: setup.listener.arn)
        let defaultRule = try #require(rules.first { $0.isDefault })
        #expect(defaultRule.priority == "default")
        #expect(defaultRule.actions.first?.forwardWeights == [blue: 90, green: 10])

        // All traffic back to one group.
        try await elb.modifyListener(arn: setup.listener.arn, defaultActions: [.weightedForward([(blue, 0), (green, 100)])])
        #expect(try await elb.listeners(arns: [setup.listener.arn]).first?.defaultActions.first?.forwardWeights == [blue: 0, green: 100])
        try await elb.modifyListener(arn: setup.listener.arn, defaultActions: [.forward(to: blue)])
        #expect(try await elb.listeners(arns: [setup.listener.arn]).first?.defaultActions.first?.forwardWeights == [blue: 1])
    }

    @Test("a listener rule's forward is shifted by ModifyRule and read back by DescribeRules")
    func weightedRule() async throws {
        let client = try await client()
        let setup = try await ELBFixtures.loadBalancer(client)
        let (blue, green) = (setup.targetGroups[0].arn, setup.targetGroups[1].arn)
        let ruleArn = try await ELBFixtures.createPathRule(client, listenerArn: setup.listener.arn, path: "/api/*", targetGroupArn: blue)
        let elb = ELBv2Client(client: client)

        let rule = try #require(try await elb.rules(arns: [ruleArn]).first)
        #expect(!rule.isDefault && rule.priority == "10")
        #expect(rule.conditions == [ELBv2RuleCondition(field: "path-pattern", values: ["/api/*"])])
        #expect(rule.actions.first?.forwardWeights == [blue: 1])

        let modified = try await elb.modifyRule(arn: ruleArn, actions: [.weightedForward([(blue, 75), (green, 25)])])
        #expect(modified.actions.first?.forwardWeights == [blue: 75, green: 25])
        let all = try await elb.rules(listenerArn: setup.listener.arn)
        #expect(all.count == 2)
        #expect(all.first { $0.arn == ruleArn }?.actions.first?.forwardWeights == [blue: 75, green: 25])
        // The rule's conditions are left as they were.
        #expect(all.first { $0.arn == ruleArn }?.conditions.first?.values == ["/api/*"])
    }

    @Test("only forward actions are written; other types are refused before any call")
    func unsupportedAction() throws {
        #expect(throws: ELBv2Client.UnsupportedAction.self) {
            _ = try ELBv2Client.actionParameters("DefaultActions", [ELBv2Action(type: "redirect")])
        }
        let parameters = try ELBv2Client.actionParameters("Actions", [.weightedForward([("a", 3), ("b", 1)], stickinessEnabled: true, stickinessDurationSeconds: 60)])
        #expect(parameters.map { "\($0.name)=\($0.value)" } == [
            "Actions.member.1.Type=forward",
            "Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=a",
            "Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight=3",
            "Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn=b",
            "Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight=1",
            "Actions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled=true",
            "Actions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds=60",
        ])
    }

    @Test("a DescribeTargetGroups page: members and NextMarker are read (moto ignores PageSize, so paging is checked on a recorded page)")
    func paging() throws {
        let page = """
        <DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups><member>\
        <TargetGroupArn>arn:tg/a</TargetGroupArn><TargetGroupName>a</TargetGroupName><Port>8080</Port>\
        <LoadBalancerArns><member>arn:lb/x</member></LoadBalancerArns></member></TargetGroups>\
        <NextMarker>m2</NextMarker></DescribeTargetGroupsResult></DescribeTargetGroupsResponse>
        """
        let root = try AWSXML.parse(Data(page.utf8))
        let result = try #require(root.child("DescribeTargetGroupsResult"))
        let groups = (result.child("TargetGroups")?.children("member") ?? []).map(ELBv2Client.targetGroup)
        #expect(groups == [ELBv2TargetGroup(arn: "arn:tg/a", name: "a", protocol: nil, port: 8080, vpcId: nil,
                                            targetType: "instance", loadBalancerArns: ["arn:lb/x"])])
        #expect(result["NextMarker"] == "m2")
    }
}
