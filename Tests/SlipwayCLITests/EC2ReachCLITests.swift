import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// How discovered instances are reached (`with.reach`): by private IP, instance id or a tag, as
/// the ssh alias. moto invents the instances and their 10.x addresses; the test's ssh config maps
/// exactly the names the chosen `reach.address` should produce to the real sshd on 127.0.0.1,
/// and sends every other name to a closed 127.0.0.1 port: a wrong address fails the deploy and
/// nothing is ever dialled outside loopback. `hostMap` adds only each instance's root folder.
@Suite struct EC2ReachCLITests {
    func sshConfig(server: SSHTestServer, aliases: [String]) throws -> String {
        var text = aliases.map { server.hostBlock(alias: $0) }.joined()
        // Last, so it only fills in what the blocks above left unset: any other name goes to a
        // loopback port nothing listens on.
        text += """
            Host *
              HostName 127.0.0.1
              Port \(try SSHTestServer.freePort())
              ConnectTimeout 5
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              LogLevel ERROR

            """
        return text
    }

    func project(endpoint: String, role: String, address: String, sshConfig: String, ids: [String], hostsRoot: String) throws -> Project {
        let hostMap = ids.map { "          \($0): {transport: ssh, root: \(hostsRoot)/\($0)}" }.joined(separator: "\n")
        let project = try Project([
            "ssh_config": sshConfig,
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: ec2
                strategy: CodeDeployDefault.AllAtOnce
                with:
                  endpoint: \(endpoint)
                  sshConfig: ssh_config
                  discover: {tags: {role: \(role)}}
                  reach: {transport: ssh, address: "\(address)"}
                  hostMap:
            \(hostMap)
            """,
            "app/appspec.yml": """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: /srv/site
            hooks:
              ValidateService:
                - location: check.sh
                  timeout: 30
            """,
            "app/site/index.html": "reached\n",
            "app/check.sh": "#!/bin/sh\necho \"$LIFECYCLE_EVENT\" > \"$SLIPWAY_HOST_ROOT/validated\"\n",
        ])
        chmod(project.root + "/app/check.sh", 0o755)
        return project
    }

    @Test(arguments: ["privateIp", "instanceId", "tag:Name"])
    func reachesEachInstanceByTheChosenAddress(address: String) async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let role = EC2Fixtures.unique("reach")
        var ids: [String] = []
        for index in 1...2 {
            ids += try await EC2Fixtures.runInstances(client, count: 1, tags: ["role": role, "Name": "\(role)-web-\(index)"])
        }
        let instances = try await EC2Client(client: client).instances(ids: ids)
        let aliases: [String] = try instances.map { instance in
            switch address {
            case "privateIp": try #require(instance.privateIpAddress)
            case "instanceId": instance.instanceId
            default: try #require(instance.tags["Name"])
            }
        }
        #expect(Set(aliases).count == 2)

        let server = try SSHTestServer.start()
        defer { server.stop() }
        let hostsRoot = try makeTemporaryFolder(prefix: "slipway-reach-hosts")
        defer { try? FileManager.default.removeItem(atPath: hostsRoot) }
        let project = try project(endpoint: endpoint, role: role, address: address,
                                  sshConfig: try sshConfig(server: server, aliases: aliases), ids: ids, hostsRoot: hostsRoot)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for id in ids {
            #expect(try String(contentsOfFile: hostsRoot + "/\(id)/srv/site/index.html", encoding: .utf8) == "reached\n")
            #expect(try String(contentsOfFile: hostsRoot + "/\(id)/validated", encoding: .utf8) == "ValidateService\n")
        }
    }

    @Test func anAddressThatIsNotTheOneConfiguredFailsWithoutLeavingLoopback() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let role = EC2Fixtures.unique("reach")
        let ids = try await EC2Fixtures.runInstances(client, count: 1, tags: ["role": role, "Name": role + "-web"])
        let server = try SSHTestServer.start()
        defer { server.stop() }
        let hostsRoot = try makeTemporaryFolder(prefix: "slipway-reach-hosts")
        defer { try? FileManager.default.removeItem(atPath: hostsRoot) }
        // The config knows the Name tag, but the stage reaches instances by instance id.
        let project = try project(endpoint: endpoint, role: role, address: "instanceId",
                                  sshConfig: try sshConfig(server: server, aliases: [role + "-web"]), ids: ids, hostsRoot: hostsRoot)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains(ids[0]), "\(result.stdout)\n\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: hostsRoot + "/\(ids[0])/srv/site/index.html"))
    }

    @Test func anInstanceWithoutTheTagIsAClearError() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let role = EC2Fixtures.unique("reach")
        let ids = try await EC2Fixtures.runInstances(client, count: 1, tags: ["role": role])
        let server = try SSHTestServer.start()
        defer { server.stop() }
        let hostsRoot = try makeTemporaryFolder(prefix: "slipway-reach-hosts")
        defer { try? FileManager.default.removeItem(atPath: hostsRoot) }
        let project = try project(endpoint: endpoint, role: role, address: "tag:Name",
                                  sshConfig: try sshConfig(server: server, aliases: []), ids: ids, hostsRoot: hostsRoot)
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("instance \(ids[0]) has no tag:Name to reach it by"),
                "\(result.stdout)\n\(result.stderr)")
    }
}
