import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// `asg-bluegreen` end to end through `slipway run` against moto: the blue group is copied into
/// a green one, the revision is installed on the green instances (each mapped to a local folder
/// under hosts/ — moto's invented addresses are never dialled), traffic moves, blue is deleted or
/// kept; a failed gate sends traffic back to blue and removes green.
@Suite struct BlueGreenCLITests {
    struct Setup {
        var client: AWSClient
        var endpoint: String
        var lb: ELBFixtures.LoadBalancer
        var blue: String
        var blueInstances: [String]
        var asg: AutoScalingClient { AutoScalingClient(client: client) }
        var elb: ELBv2Client { ELBv2Client(client: client) }
    }

    /// A load balancer with `targetGroupCount` groups, the listener on the first, and a blue
    /// group of two instances registered in the first.
    func setup(targetGroupCount: Int) async throws -> Setup {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let lb = try await ELBFixtures.loadBalancer(client, targetGroupCount: targetGroupCount)
        let blue = EC2Fixtures.unique("blue")
        let instances = try await ELBFixtures.autoScalingGroup(client, name: blue, size: 2, network: lb.network,
                                                               targetGroups: [lb.targetGroups[0].arn])
        return Setup(client: client, endpoint: endpoint, lb: lb, blue: blue, blueInstances: instances)
    }

    func project(_ setup: Setup, strategy: String, blueGreen: String, gates: String = "", validate: String = "exit 0",
                 trafficHooks: Bool = false) throws -> Project {
        let hooks = !trafficHooks ? "" : ["BeforeAllowTraffic", "AfterAllowTraffic", "BeforeBlockTraffic", "AfterBlockTraffic"]
            .map { "  \($0):\n    - location: probe.sh\n" }.joined()
        // Logs the event, the site the host serves and the listener's weights (from moto).
        let probe = """
        #!/bin/sh
        weights=$(curl -s '\(setup.endpoint)' -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0' \\
          --data-urlencode Action=DescribeListeners --data-urlencode Version=2015-12-01 --data-urlencode 'ListenerArns.member.1=\(setup.lb.listener.arn)' \\
          | grep -o 'targetgroup/[^/]*/[^<]*</TargetGroupArn><Weight>[0-9]*' | sed 's:targetgroup/\\([^/]*\\)/.*<Weight>:\\1=:' | sort | tr '\\n' ' ')
        echo "$LIFECYCLE_EVENT site=$(cat "$SLIPWAY_HOST_ROOT/srv/site/index.html") $weights" >> "$SLIPWAY_HOST_ROOT/traffic.log"
        """
        return try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: asg-bluegreen
                strategy: \(strategy)
            \(gates)
                with:
                  endpoint: \(setup.endpoint)
                  discover: {autoScalingGroup: \(setup.blue)}
                  reach: {transport: local}
                  root: hosts
                  blueGreen: \(blueGreen)
            """,
            "app/appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - {source: site, destination: /srv/site}\nhooks:\n  ValidateService:\n    - location: validate.sh\n" + hooks,
            "app/validate.sh": "#!/bin/sh\n\(validate)\n",
            "app/probe.sh": probe,
            "app/site/index.html": "v1\n",
        ])
    }

    /// The groups of the lineage that still exist (blue itself, green copies).
    func lineage(_ setup: Setup) async throws -> [AutoScalingGroupDescription] {
        try await setup.asg.groups(names: [setup.blue]) + setup.asg.groups(taggedWith: "slipway:lineage", value: setup.blue)
    }

    func healthy(_ setup: Setup, _ group: Int) async throws -> Set<String> {
        Set(try await setup.elb.targetHealth(targetGroupArn: setup.lb.targetGroups[group].arn).filter { $0.state == "healthy" }.map(\.target.id))
    }

    func site(_ project: Project, _ instance: String) -> String? {
        try? String(contentsOfFile: project.root + "/hosts/\(instance)/srv/site/index.html", encoding: .utf8)
    }

    @Test func allAtOnceRegistersGreenDeregistersBlueAndTerminatesBlue() async throws {
        let setup = try await setup(targetGroupCount: 1)
        let project = try project(setup, strategy: "{allAtOnce: true}", blueGreen: "{pollInterval: 0.1, blueInstances: {action: TERMINATE}}")
        defer { project.remove() }

        let first = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let groups = try await lineage(setup)
        let green = try #require(groups.first)
        #expect(groups.count == 1)
        #expect(green.name.hasPrefix(setup.blue + "-d-"))
        let greenInstances = Set(green.instances.map(\.instanceId))
        #expect(greenInstances.count == 2 && greenInstances.isDisjoint(with: setup.blueInstances))
        for id in greenInstances { #expect(site(project, id) == "v1\n") }
        // Traffic: the target group serves green only; blue is gone with its instances.
        #expect(try await healthy(setup, 0) == greenInstances)
        #expect(green.targetGroupARNs == [setup.lb.targetGroups[0].arn])
        #expect(try await setup.asg.groups(names: [setup.blue]).isEmpty)
        let blueStates = try await EC2Client(client: setup.client).instances(ids: setup.blueInstances).map(\.state)
        #expect(blueStates == ["terminated", "terminated"])

        // The next deployment copies the group that is live now (the lineage follows green).
        try "v2\n".write(toFile: project.root + "/app/site/index.html", atomically: true, encoding: .utf8)
        let second = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let next = try await lineage(setup)
        #expect(next.count == 1)
        let newest = try #require(next.first)
        #expect(newest.name != green.name)
        let newestInstances = Set(newest.instances.map(\.instanceId))
        for id in newestInstances { #expect(site(project, id) == "v2\n") }
        #expect(try await healthy(setup, 0) == newestInstances)
    }

    @Test func canaryShiftsTheListenerWeightsStepByStepAndKeepsBlueAlive() async throws {
        let setup = try await setup(targetGroupCount: 2)
        let (blueTG, greenTG) = (setup.lb.targetGroups[0], setup.lb.targetGroups[1])
        let listener = setup.lb.listener.arn
        // A gate that reads the listener's weights from moto during every bake.
        let gate = """
            gates:
              - command: sh weights.sh
                interval: 1s
                failureBudget: 0
        """
        let project = try project(setup, strategy: "{steps: [{percent: 10, bake: 1s}, {percent: 50, bake: 1s}]}",
                                  blueGreen: "{listener: \"\(listener)\", targetGroupPair: [\(blueTG.name), \(greenTG.name)], pollInterval: 0.1, blueInstances: {action: KEEP_ALIVE}}",
                                  gates: gate)
        defer { project.remove() }
        try """
        curl -s '\(setup.endpoint)' -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0' \\
          --data-urlencode Action=DescribeListeners --data-urlencode Version=2015-12-01 --data-urlencode 'ListenerArns.member.1=\(listener)' \\
          | grep -o '<Weight>[0-9]*</Weight>' | tr -dc '0-9\\n' | tr '\\n' ' ' >> weights.log
        echo >> weights.log
        """.write(toFile: project.root + "/weights.sh", atomically: true, encoding: .utf8)

        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // What the gate saw during the bakes: blue's weight first, then green's.
        let seen = try String(contentsOfFile: project.root + "/weights.log", encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(seen.contains("90 10"))
        #expect(seen.contains("50 50"))
        #expect(seen.firstIndex(of: "90 10")! < seen.firstIndex(of: "50 50")!)
        #expect(result.stdout.contains("listener forwards \(blueTG.name) 90, \(greenTG.name) 10"))
        // The end: all traffic on green's target group, which serves the green instances.
        let weights = try await setup.elb.listeners(arns: [listener]).first?.defaultActions.first?.forwardWeights
        #expect(weights == [blueTG.arn: 0, greenTG.arn: 100])
        let green = try #require(try await lineage(setup).first { $0.name != setup.blue })
        #expect(try await healthy(setup, 1) == Set(green.instances.map(\.instanceId)))
        for id in green.instances.map(\.instanceId) { #expect(site(project, id) == "v1\n") }
        // KEEP_ALIVE: blue still runs, out of the load balancer, retired.
        let blue = try #require(try await setup.asg.groups(names: [setup.blue]).first)
        #expect(blue.tags["slipway:retired"]?.hasPrefix("d-") == true)
        #expect(blue.targetGroupARNs.isEmpty)
        #expect(try await healthy(setup, 0).isEmpty)
        let blueStates = try await EC2Client(client: setup.client).instances(ids: setup.blueInstances).map(\.state)
        #expect(blueStates == ["running", "running"])
    }

    @Test func trafficHooksRunOnGreenThenBlueInCodeDeploysOrder() async throws {
        let setup = try await setup(targetGroupCount: 2)
        let (a, b) = (setup.lb.targetGroups[0], setup.lb.targetGroups[1])
        try await setup.elb.modifyListener(arn: setup.lb.listener.arn, defaultActions: [.weightedForward([(a.arn, 100), (b.arn, 0)])])
        let project = try project(setup, strategy: "{steps: [{percent: 50, bake: 0}]}",
                                  blueGreen: "{listener: \"\(setup.lb.listener.arn)\", targetGroupPair: [\(a.name), \(b.name)], pollInterval: 0.1}",
                                  trafficHooks: true)
        defer { project.remove() }
        func log(_ id: String) -> [String] {
            ((try? String(contentsOfFile: project.root + "/hosts/\(id)/traffic.log", encoding: .utf8)) ?? "")
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        }

        let first = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let green = try #require(try await lineage(setup).first { $0.name != setup.blue })
        // Green: BeforeAllowTraffic before it gets any traffic, AfterAllowTraffic once it has all.
        for id in green.instances.map(\.instanceId) {
            #expect(log(id) == ["BeforeAllowTraffic site=v1 \(a.name)=100 \(b.name)=0", "AfterAllowTraffic site=v1 \(a.name)=0 \(b.name)=100"])
        }

        try "v2\n".write(toFile: project.root + "/app/site/index.html", atomically: true, encoding: .utf8)
        let second = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        // The first green is blue now: its Block* hooks run from what it installed (v1), once
        // the new green has all the traffic (the pair alternates: green is on the first group again).
        for id in green.instances.map(\.instanceId) {
            #expect(log(id).suffix(2) == ["BeforeBlockTraffic site=v1 \(a.name)=100 \(b.name)=0", "AfterBlockTraffic site=v1 \(a.name)=100 \(b.name)=0"])
        }
        let newest = try #require(try await lineage(setup).first { $0.name != green.name && $0.name != setup.blue })
        for id in newest.instances.map(\.instanceId) {
            #expect(log(id) == ["BeforeAllowTraffic site=v2 \(a.name)=0 \(b.name)=100", "AfterAllowTraffic site=v2 \(a.name)=100 \(b.name)=0"])
        }
    }

    @Test func aFailingGateSendsTrafficBackToBlueAndRemovesGreen() async throws {
        let setup = try await setup(targetGroupCount: 2)
        let (blueTG, greenTG) = (setup.lb.targetGroups[0], setup.lb.targetGroups[1])
        let listener = setup.lb.listener.arn
        let gate = """
            gates:
              - command: "exit 1"
                interval: 1s
                failureBudget: 0
        """
        let project = try project(setup, strategy: "{steps: [{percent: 10, bake: 2s}]}",
                                  blueGreen: "{listener: \"\(listener)\", targetGroupPair: [\"\(blueTG.arn)\", \"\(greenTG.arn)\"], pollInterval: 0.1}",
                                  gates: gate)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status != 0)
        // Traffic reached green before the gate failed…
        #expect(result.stdout.contains("listener forwards \(blueTG.name) 90, \(greenTG.name) 10"), "\(result.stdout)")
        // …and is back on blue; green is gone.
        let weights = try await setup.elb.listeners(arns: [listener]).first?.defaultActions.first?.forwardWeights
        #expect(weights == [blueTG.arn: 100, greenTG.arn: 0])
        let groups = try await lineage(setup)
        #expect(groups.map(\.name) == [setup.blue])
        #expect(try await healthy(setup, 0) == Set(setup.blueInstances))
        #expect(try await healthy(setup, 1).isEmpty)
    }

    @Test func aDryRunDescribesTheCopyAndChangesNothing() async throws {
        let setup = try await setup(targetGroupCount: 1)
        let project = try project(setup, strategy: "{allAtOnce: true}", blueGreen: "{blueInstances: {action: KEEP_ALIVE}}")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml", "--dry-run"], environment: slipwayAWSEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("copy Auto Scaling group \(setup.blue) into \(setup.blue)-d-"))
        #expect(result.stdout.contains("register green in \(setup.lb.targetGroups[0].name), then deregister blue"))
        #expect(result.stdout.contains("then keep \(setup.blue)"))
        #expect(try await lineage(setup).map(\.name) == [setup.blue])
        #expect(try await healthy(setup, 0) == Set(setup.blueInstances))
    }

    @Test func aGreenHostFailingValidationRemovesGreenAndLeavesBlueServing() async throws {
        let setup = try await setup(targetGroupCount: 1)
        let project = try project(setup, strategy: "{allAtOnce: true}", blueGreen: "{pollInterval: 0.1}",
                                  validate: "echo not serving >&2; exit 3")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("green instances failed"))
        #expect(try await lineage(setup).map(\.name) == [setup.blue])
        #expect(try await healthy(setup, 0) == Set(setup.blueInstances))
    }
}
