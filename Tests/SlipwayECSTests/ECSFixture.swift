import Foundation
import SlipwayAWS
import SlipwayTestSupport

/// One blue/green ECS setup in moto, unique per test on the shared server: a VPC with two
/// subnets and a security group, an application load balancer with two target groups, a
/// production listener (port 80) and a test listener (port 8080) both forwarding to the first
/// group, a cluster and an EXTERNAL service whose primary task set ("blue", the version
/// running before the test deploys) sits on the first group.
struct ECSFixture {
    let endpoint: String
    let client: AWSClient
    let cluster: String
    let service: String
    let targetGroups: [String]
    let productionListener: String
    let testListener: String
    let subnets: [String]
    let securityGroup: String
    let blueTaskSet: String

    var ecs: ECSClient { ECSClient(client: client) }
    var elb: ELBv2Client { ELBv2Client(client: client) }

    static func make() async throws -> ECSFixture {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let balancer = try await ELBFixtures.loadBalancer(client)
        let elb = ELBv2Client(client: client)
        let groups = balancer.targetGroups.map(\.arn)
        let test = try await elb.createListener(loadBalancerArn: balancer.loadBalancer.arn, port: 8080, defaultActions: [.forward(to: groups[0])])
        let name = EC2Fixtures.unique("ecs")
        // moto gives Fargate tasks a network interface with a DNS name and fails (500) without one.
        _ = try await client.send(.query(service: .ec2, action: "ModifyVpcAttribute", version: "2016-11-15", parameters: [
            AWSQueryItem("VpcId", balancer.network.vpcId), AWSQueryItem("EnableDnsHostnames.Value", "true"),
        ]))
        let group = try await client.send(.query(service: .ec2, action: "CreateSecurityGroup", version: "2016-11-15", parameters: [
            AWSQueryItem("GroupName", name), AWSQueryItem("GroupDescription", "slipway ecs test"), AWSQueryItem("VpcId", balancer.network.vpcId),
        ])).xml()
        let securityGroup = group.first("groupId")?.text ?? ""
        let ecs = ECSClient(client: client)
        _ = try await ecs.createCluster(name)
        _ = try await ecs.createExternalService(cluster: name, name: "web", desiredCount: 2)
        let blueDefinition = try await ecs.registerTaskDefinition(taskDefinition(family: name, image: "web:blue"))
        let blue = try await ecs.createTaskSet(ECSTaskSetRequest(
            cluster: name, service: "web", taskDefinition: blueDefinition, externalId: "blue", targetGroup: groups[0],
            containerName: "web", containerPort: 80, subnets: balancer.network.subnetIds, securityGroups: [securityGroup]))
        try await ecs.updateServicePrimaryTaskSet(cluster: name, service: "web", taskSet: blue.arn)
        return ECSFixture(endpoint: endpoint, client: client, cluster: name, service: "web", targetGroups: groups,
                          productionListener: balancer.listener.arn, testListener: test.arn, subnets: balancer.network.subnetIds,
                          securityGroup: securityGroup, blueTaskSet: blue.arn)
    }

    /// A Fargate task definition moto accepts (it needs container-level cpu and memory).
    static func taskDefinition(family: String, image: String) -> [String: Any] {
        ["family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
         "containerDefinitions": [["name": "web", "image": image, "cpu": 256, "memory": 512, "portMappings": [["containerPort": 80]]]]]
    }

    /// The revision's taskdef.json, with the image left as a placeholder the pipeline fills.
    var taskDefinitionFile: String {
        let object = Self.taskDefinition(family: cluster, image: "<IMAGE>")
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The stage's `with:` lines (indented for a stage); `extra` settings add to them or
    /// replace the default of the same key.
    func withBlock(extra: [String] = []) -> String {
        let lines = [
            "endpoint: \(endpoint)", "region: us-east-1", "cluster: \(cluster)", "service: \(service)",
            "placeholders: {IMAGE: \"web:${{ vars.VERSION }}\"}",
            "containerName: web", "containerPort: 80",
            "targetGroups: [\(targetGroups[0]), \(targetGroups[1])]",
            "productionListener: \(productionListener)", "testListener: \(testListener)",
            "network: {subnets: [\(subnets.joined(separator: ", "))], securityGroups: [\(securityGroup)]}",
            "stability: {timeout: 30s, interval: 200ms}",
        ]
        let keys = Set(extra.map { $0.prefix { $0 != ":" } })
        return (lines.filter { !keys.contains($0.prefix { $0 != ":" }) } + extra).map { "      " + $0 }.joined(separator: "\n")
    }

    // MARK: Reading what AWS has now

    /// Production listener weights: [blue weight, green weight] (target group order).
    func productionWeights() async throws -> [Int] {
        try await weights(productionListener)
    }

    func weights(_ listener: String) async throws -> [Int] {
        guard let found = try await elb.listeners(arns: [listener]).first else { return [] }
        let weights = found.defaultActions.first { $0.type == "forward" }?.forwardWeights ?? [:]
        // A plain forward to one group means all of it.
        if weights.count == 1, let only = weights.first { return targetGroups.map { $0 == only.key ? 100 : 0 } }
        return targetGroups.map { weights[$0] ?? 0 }
    }

    func currentService() async throws -> ECSService {
        guard let found = try await ecs.service(cluster: cluster, name: service) else { throw FixtureMissing() }
        return found
    }

    struct FixtureMissing: Error {}
}
