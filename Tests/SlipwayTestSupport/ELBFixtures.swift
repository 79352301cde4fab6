import Foundation
import SlipwayAWS

/// Test-only networking and load balancer setup in moto: a VPC with two subnets (an
/// application load balancer needs two), a load balancer, target groups and an HTTP listener.
public enum ELBFixtures {
    public struct Network: Sendable {
        public var vpcId: String
        public var subnetIds: [String]
    }

    /// A load balancer with one listener forwarding to `targetGroups[0]`.
    public struct LoadBalancer: Sendable {
        public var network: Network
        public var loadBalancer: ELBv2LoadBalancer
        public var targetGroups: [ELBv2TargetGroup]
        public var listener: ELBv2Listener
    }

    /// A VPC 10.<n>.0.0/16 and two /24 subnets in us-east-1a and us-east-1b.
    public static func network(_ client: AWSClient) async throws -> Network {
        let octet = Int.random(in: 1...250)
        let vpc = try await client.send(.query(service: .ec2, action: "CreateVpc", version: "2016-11-15",
                                               parameters: [AWSQueryItem("CidrBlock", "10.\(octet).0.0/16")])).xml()
        guard let vpcId = vpc.first("vpcId")?.text else { throw FixtureError(message: "CreateVpc returned no vpcId") }
        var subnets: [String] = []
        for (index, zone) in ["us-east-1a", "us-east-1b"].enumerated() {
            let subnet = try await client.send(.query(service: .ec2, action: "CreateSubnet", version: "2016-11-15", parameters: [
                AWSQueryItem("VpcId", vpcId), AWSQueryItem("CidrBlock", "10.\(octet).\(index + 1).0/24"),
                AWSQueryItem("AvailabilityZone", zone),
            ])).xml()
            guard let subnetId = subnet.first("subnetId")?.text else { throw FixtureError(message: "CreateSubnet returned no subnetId") }
            subnets.append(subnetId)
        }
        return Network(vpcId: vpcId, subnetIds: subnets)
    }

    /// A fresh network, an application load balancer, `targetGroupCount` HTTP target groups
    /// and a listener on port 80 forwarding to the first group. Names are unique per call.
    public static func loadBalancer(_ client: AWSClient, targetGroupCount: Int = 2) async throws -> LoadBalancer {
        let network = try await network(client)
        let elb = ELBv2Client(client: client)
        let name = EC2Fixtures.unique("lb")
        let loadBalancer = try await elb.createLoadBalancer(name: name, subnets: network.subnetIds)
        var groups: [ELBv2TargetGroup] = []
        for index in 0..<targetGroupCount {
            groups.append(try await elb.createTargetGroup(name: "\(name)-\(index)", vpcId: network.vpcId))
        }
        let listener = try await elb.createListener(loadBalancerArn: loadBalancer.arn, defaultActions: [.forward(to: groups[0].arn)])
        return LoadBalancer(network: network, loadBalancer: loadBalancer, targetGroups: groups, listener: listener)
    }

    /// A rule with priority 10 forwarding `path` to one target group; returns its ARN.
    public static func createPathRule(_ client: AWSClient, listenerArn: String, path: String, targetGroupArn: String) async throws -> String {
        let root = try await client.send(.query(service: .elasticLoadBalancingV2, action: "CreateRule", version: "2015-12-01", parameters: [
            AWSQueryItem("ListenerArn", listenerArn), AWSQueryItem("Priority", "10"),
            AWSQueryItem("Conditions.member.1.Field", "path-pattern"), AWSQueryItem("Conditions.member.1.Values.member.1", path),
            AWSQueryItem("Actions.member.1.Type", "forward"), AWSQueryItem("Actions.member.1.TargetGroupArn", targetGroupArn),
        ])).xml()
        guard let arn = root.first("RuleArn")?.text else { throw FixtureError(message: "CreateRule returned no RuleArn") }
        return arn
    }

    /// A launch template and an Auto Scaling group of `size` instances in the network's first
    /// subnet, registering them in `targetGroups`; returns the group's instance ids.
    public static func autoScalingGroup(_ client: AWSClient, name: String, size: Int, network: Network,
                                        targetGroups: [String]) async throws -> [String] {
        _ = try await client.send(.query(service: .ec2, action: "CreateLaunchTemplate", version: "2016-11-15", parameters: [
            AWSQueryItem("LaunchTemplateName", name + "-lt"), AWSQueryItem("LaunchTemplateData.ImageId", EC2Fixtures.imageId),
            AWSQueryItem("LaunchTemplateData.InstanceType", "t2.micro"),
        ]))
        var parameters = [
            AWSQueryItem("AutoScalingGroupName", name), AWSQueryItem("LaunchTemplate.LaunchTemplateName", name + "-lt"),
            AWSQueryItem("LaunchTemplate.Version", "$Latest"), AWSQueryItem("MinSize", String(size)),
            AWSQueryItem("MaxSize", String(size)), AWSQueryItem("DesiredCapacity", String(size)),
            AWSQueryItem("VPCZoneIdentifier", network.subnetIds[0]),
        ]
        for (index, arn) in targetGroups.enumerated() { parameters.append(AWSQueryItem("TargetGroupARNs.member.\(index + 1)", arn)) }
        _ = try await client.send(.query(service: .autoScaling, action: "CreateAutoScalingGroup", version: "2011-01-01", parameters: parameters))
        return try await AutoScalingClient(client: client).instances(ofGroup: name).map(\.instanceId)
    }

    struct FixtureError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}
