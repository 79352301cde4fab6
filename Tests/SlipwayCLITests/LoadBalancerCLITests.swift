import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// In-place deployments with `with.loadBalancer`: each host leaves its target group before it is
/// touched and rejoins after ValidateService. The hooks themselves ask moto (over 127.0.0.1) for
/// the target health of their own and the other host, so the log shows what the load balancer
/// saw at every lifecycle event.
@Suite struct LoadBalancerCLITests {
    /// A hook that appends "<event> self=<state> other=<state>" to the host's traffic.log.
    static let probe = """
    #!/bin/sh
    state() {
      curl -s "$MOTO" -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0" \\
        --data-urlencode Action=DescribeTargetHealth --data-urlencode Version=2015-12-01 \\
        --data-urlencode "TargetGroupArn=$TG" --data-urlencode "Targets.member.1.Id=$1" \\
        | sed -n 's:.*<State>\\([a-z.]*\\)</State>.*:\\1:p'
    }
    echo "$LIFECYCLE_EVENT self=$(state "$SELF") other=$(state "$OTHER")" >> "$SLIPWAY_HOST_ROOT/traffic.log"
    """

    func project(endpoint: String, targetGroup: ELBv2TargetGroup, instances: [String], instanceIds: Bool = true) throws -> Project {
        let hosts = [("a", instances[0], instances[1]), ("b", instances[1], instances[0])].map { id, this, other in
            "        - {id: \(id)\(instanceIds ? ", instanceId: \(this)" : ""), env: {SELF: \(this), OTHER: \(other)}}"
        }.joined(separator: "\n")
        let hooks = ["BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStart", "BeforeAllowTraffic", "AfterAllowTraffic"]
            .map { "  \($0):\n    - location: probe.sh" }.joined(separator: "\n")
        return try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: ec2
                strategy: CodeDeployDefault.OneAtATime
                with:
                  endpoint: \(endpoint)
                  root: hosts
                  env: {MOTO: "\(endpoint)", TG: "\(targetGroup.arn)"}
                  loadBalancer: {targetGroups: [\(targetGroup.name)], pollInterval: 0.1, deregistrationTimeout: 60, healthyTimeout: 60}
                  hosts:
            \(hosts)
            """,
            "app/appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - {source: site, destination: /srv/site}\nhooks:\n\(hooks)\n",
            "app/probe.sh": Self.probe,
            "app/site/index.html": "v1\n",
        ])
    }

    func log(_ project: Project, _ host: String) throws -> [String] {
        try String(contentsOfFile: project.root + "/hosts/\(host)/traffic.log", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func eachHostLeavesItsTargetGroupWhileItIsDeployedAndRejoinsHealthy() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let setup = try await ELBFixtures.loadBalancer(client, targetGroupCount: 1)
        let group = setup.targetGroups[0]
        let instances = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": EC2Fixtures.unique("lb")])
        let elb = ELBv2Client(client: client)
        try await elb.registerTargets(targetGroupArn: group.arn, targets: instances.map { ELBv2Target(id: $0) })
        let project = try project(endpoint: endpoint, targetGroup: group, instances: instances)
        defer { project.remove() }

        let first = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        // First deployment: no last successful revision, so no Block* hooks; the host is out of the
        // group from BlockTraffic to AllowTraffic while the other one keeps serving.
        for host in ["a", "b"] {
            #expect(try log(project, host) == [
                "ApplicationStart self=unused other=healthy",
                "BeforeAllowTraffic self=unused other=healthy",
                "AfterAllowTraffic self=healthy other=healthy",
            ])
        }

        try "v2\n".write(toFile: project.root + "/app/site/index.html", atomically: true, encoding: .utf8)
        let second = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        for host in ["a", "b"] {
            #expect(try log(project, host).suffix(5) == [
                "BeforeBlockTraffic self=healthy other=healthy",
                "AfterBlockTraffic self=unused other=healthy",
                "ApplicationStart self=unused other=healthy",
                "BeforeAllowTraffic self=unused other=healthy",
                "AfterAllowTraffic self=healthy other=healthy",
            ])
            #expect(try String(contentsOfFile: project.root + "/hosts/\(host)/srv/site/index.html", encoding: .utf8) == "v2\n")
        }
        // Both are back in the group at the end.
        let health = try await elb.targetHealth(targetGroupArn: group.arn)
        #expect(Set(health.filter { $0.state == "healthy" }.map(\.target.id)) == Set(instances))
    }

    @Test func aHostTheLoadBalancerRefusesFailsAtAllowTrafficAndTheRolloutStops() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let setup = try await ELBFixtures.loadBalancer(client, targetGroupCount: 1)
        let instances = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": EC2Fixtures.unique("lb")])
        // A stopped instance cannot be registered (InvalidTarget).
        _ = try await client.send(.query(service: .ec2, action: "StopInstances", version: "2016-11-15",
                                         parameters: [AWSQueryItem("InstanceId.1", instances[0])]))
        let project = try project(endpoint: endpoint, targetGroup: setup.targetGroups[0], instances: instances)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 3)
        #expect(result.stdout.contains("AllowTraffic: failed: registering with \(setup.targetGroups[0].name): Elastic Load Balancing v2 RegisterTargets failed: HTTP 400 InvalidTarget"),
                "\(result.stdout)")
        // AfterAllowTraffic never ran on a, and OneAtATime stopped before b.
        #expect(try log(project, "a").last?.hasPrefix("BeforeAllowTraffic ") == true)
        #expect(!FileManager.default.fileExists(atPath: project.root + "/hosts/b/traffic.log"))
    }

    /// moto drops a target at once; a real load balancer drains it first. A fake ELBv2 endpoint
    /// on 127.0.0.1 that never stops draining shows the wait is bounded and says why it failed.
    @Test func aTargetThatKeepsDrainingFailsTheHostAfterTheDeregistrationTimeout() async throws {
        let instance = "i-0123456789abcdef0"
        let fake = try TestHTTPServer { request in
            let body = String(decoding: request.body, as: UTF8.self)
            if body.contains("Action=DeregisterTargets") {
                return .text(200, "<DeregisterTargetsResponse><DeregisterTargetsResult/></DeregisterTargetsResponse>", contentType: "text/xml")
            }
            return .text(200, """
                <DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions><member>\
                <Target><Id>\(instance)</Id></Target><TargetHealth><State>draining</State>\
                <Reason>Target.DeregistrationInProgress</Reason></TargetHealth></member></TargetHealthDescriptions>\
                </DescribeTargetHealthResult></DescribeTargetHealthResponse>
                """, contentType: "text/xml")
        }
        defer { fake.stop() }
        let project = try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: ec2
                with:
                  endpoint: \(fake.baseURL)
                  root: hosts
                  loadBalancer: {targetGroups: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123"], deregistrationTimeout: 1, pollInterval: 0.2}
                  hosts: [{id: a, instanceId: \(instance)}]
            """,
            "app/appspec.yml": "version: 0.0\nos: linux\nfiles:\n  - {source: site, destination: /srv/site}\n",
            "app/site/index.html": "v1\n",
        ])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 3)
        #expect(result.stdout.contains("BlockTraffic: failed: \(instance): deregistration not reached within 1 s; web: draining (Target.DeregistrationInProgress)"),
                "\(result.stdout)")
        #expect(fake.requests.contains { String(decoding: $0.body, as: UTF8.self).contains("Action=DeregisterTargets") })
        // The host was not touched while it still served.
        #expect(!FileManager.default.fileExists(atPath: project.root + "/hosts/a/srv/site/index.html"))
    }

    @Test func aStaticHostWithoutAnInstanceIdIsAConfigurationError() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let setup = try await ELBFixtures.loadBalancer(client, targetGroupCount: 1)
        let instances = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": EC2Fixtures.unique("lb")])
        let project = try project(endpoint: endpoint, targetGroup: setup.targetGroups[0], instances: instances, instanceIds: false)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("with.loadBalancer needs the host's EC2 instance id (give it as instanceId)"))
        // Nothing was installed.
        #expect(!FileManager.default.fileExists(atPath: project.root + "/hosts/a/srv/site/index.html"))
    }
}
