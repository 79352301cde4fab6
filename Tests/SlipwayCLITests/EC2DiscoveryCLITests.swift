import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// The EC2 plugin discovering its hosts in AWS (moto): instances tagged role=<unique> are found
/// by tag and each is mapped to a local folder through `hostMap` (moto's invented private
/// addresses are never dialled); instances without the tag are left alone.
@Suite struct EC2DiscoveryCLITests {
    func project(endpoint: String, type: String = "ec2", discover: String, mapped: [String]) throws -> Project {
        let hostMap = mapped.map { "          \($0): {transport: local, root: hosts/\($0)}" }.joined(separator: "\n")
        return try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: \(type)
                strategy: CodeDeployDefault.AllAtOnce
                with:
                  endpoint: \(endpoint)
                  discover: \(discover)
                  hostMap:
            \(hostMap)
            """,
            "app/appspec.yml": """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: /srv/site
            """,
            "app/site/index.html": "discovered\n",
        ])
    }

    @Test func deploysEveryInstanceWithTheTagAndNoOther() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let role = EC2Fixtures.unique("web")
        let web = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": role])
        let other = try await EC2Fixtures.runInstances(client, count: 1, tags: ["role": role + "-other"])
        // Every instance is mapped, so only the tag decides which folders get the site.
        let project = try project(endpoint: endpoint, discover: "{tags: {role: \(role)}}", mapped: web + other)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for id in web {
            #expect(try String(contentsOfFile: project.root + "/hosts/\(id)/srv/site/index.html", encoding: .utf8) == "discovered\n")
        }
        #expect(!FileManager.default.fileExists(atPath: project.root + "/hosts/\(other[0])/srv/site/index.html"))
    }

    @Test func deploysTheInstancesOfAnAutoScalingGroup() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let group = EC2Fixtures.unique("asg")
        let members = try await EC2Fixtures.createAutoScalingGroup(client, name: group, size: 2)
        #expect(members.count == 2)
        // Target type `asg` is served by the same plugin.
        let project = try project(endpoint: endpoint, type: "asg", discover: "{autoScalingGroup: \(group)}", mapped: members)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for id in members {
            #expect(try String(contentsOfFile: project.root + "/hosts/\(id)/srv/site/index.html", encoding: .utf8) == "discovered\n")
        }
    }

    @Test func noMatchingInstanceIsAClearError() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let role = EC2Fixtures.unique("none")
        let project = try project(endpoint: endpoint, discover: "{tags: {role: \(role)}}", mapped: ["i-unused"])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("no running instances match tag role=\(role) in us-east-1"),
                "\(result.stdout)\n\(result.stderr)")
    }
}
