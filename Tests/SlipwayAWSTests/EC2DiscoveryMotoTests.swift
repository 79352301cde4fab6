import Foundation
import SlipwayTestSupport
import Testing
@testable import SlipwayAWS

/// Host discovery against a real moto_server: instances by tag, and an Auto Scaling group's instances.
@Suite("EC2 and Auto Scaling discovery against moto")
struct EC2DiscoveryMotoTests {
    func client() async throws -> AWSClient {
        let endpoint = try await SharedMoto.endpoint()
        return try testAWSClient(endpoint: endpoint)
    }

    @Test("a tag filter returns exactly the running instances carrying the tag, with ip, state and tags")
    func tagFiltering() async throws {
        let client = try await client()
        let role = EC2Fixtures.unique("web")
        let web = try await EC2Fixtures.runInstances(client, count: 3, tags: ["role": role, "Name": "web"])
        let other = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": role + "-db"])
        #expect(web.count == 3 && other.count == 2)
        // A terminated instance keeps its tag but is not running.
        try await EC2Fixtures.terminate(client, [web[2]])

        let ec2 = EC2Client(client: client)
        let found = try await ec2.instances(tags: ["role": role])
        #expect(Set(found.map(\.instanceId)) == Set(web.prefix(2)))
        for instance in found {
            #expect(instance.state == "running")
            #expect(instance.tags["role"] == role && instance.tags["Name"] == "web")
            #expect(instance.privateIpAddress?.isEmpty == false)
        }
        // Every tag must match.
        #expect(try await ec2.instances(tags: ["role": role, "Name": "nope"]).isEmpty)
        let all = try await ec2.instances(tags: ["role": role], runningOnly: false)
        #expect(Set(all.map(\.instanceId)) == Set(web))
        #expect(try await ec2.instances(ids: [web[0]]).map(\.instanceId) == [web[0]])
    }

    @Test("DescribeInstances pages are followed through NextToken")
    func paging() throws {
        let page = """
        <DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>i-1</instanceId>\
        <privateIpAddress>10.0.0.1</privateIpAddress><instanceState><code>16</code><name>running</name></instanceState>\
        <tagSet><item><key>role</key><value>web</value></item></tagSet></item></instancesSet></item></reservationSet>\
        <nextToken>abc</nextToken></DescribeInstancesResponse>
        """
        let root = try AWSXML.parse(Data(page.utf8))
        #expect(EC2Client.instances(in: root) == [EC2Instance(instanceId: "i-1", privateIpAddress: "10.0.0.1", state: "running", tags: ["role": "web"])])
        #expect(root.child("nextToken")?.text == "abc")
    }

    @Test("an Auto Scaling group lists its instances as InService and Healthy; a missing group is an error")
    func autoScalingGroup() async throws {
        let client = try await client()
        let name = EC2Fixtures.unique("asg")
        let created = try await EC2Fixtures.createAutoScalingGroup(client, name: name, size: 2)
        #expect(created.count == 2)
        let members = try await AutoScalingClient(client: client).instances(ofGroup: name)
        #expect(Set(members.map(\.instanceId)) == Set(created))
        #expect(members.allSatisfy { $0.isHealthyInService })
        await #expect(throws: AutoScalingClient.GroupNotFound.self) {
            _ = try await AutoScalingClient(client: client).instances(ofGroup: name + "-missing")
        }
    }
}
