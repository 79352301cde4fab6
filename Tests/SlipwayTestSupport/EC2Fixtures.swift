import Foundation
import SlipwayAWS

/// Test-only EC2 / Auto Scaling requests that create instances in moto (the product never
/// creates instances, so these live with the tests).
public enum EC2Fixtures {
    /// An AMI moto ships in us-east-1.
    public static let imageId = "ami-12c6146b"

    /// Starts `count` instances carrying `tags`; returns their ids.
    public static func runInstances(_ client: AWSClient, count: Int, tags: [String: String]) async throws -> [String] {
        var parameters = [AWSQueryItem("ImageId", imageId), AWSQueryItem("MinCount", String(count)),
                          AWSQueryItem("MaxCount", String(count)), AWSQueryItem("InstanceType", "t2.micro")]
        if !tags.isEmpty { parameters.append(AWSQueryItem("TagSpecification.1.ResourceType", "instance")) }
        for (index, tag) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.append(AWSQueryItem("TagSpecification.1.Tag.\(index + 1).Key", tag.key))
            parameters.append(AWSQueryItem("TagSpecification.1.Tag.\(index + 1).Value", tag.value))
        }
        let root = try await client.send(.query(service: .ec2, action: "RunInstances", version: "2016-11-15", parameters: parameters)).xml()
        return (root.child("instancesSet")?.children("item") ?? []).compactMap { $0["instanceId"] }
    }

    public static func terminate(_ client: AWSClient, _ ids: [String]) async throws {
        let parameters = ids.enumerated().map { AWSQueryItem("InstanceId.\($0.offset + 1)", $0.element) }
        _ = try await client.send(.query(service: .ec2, action: "TerminateInstances", version: "2016-11-15", parameters: parameters))
    }

    /// A launch template and an Auto Scaling group of `size` instances; returns the group's instance ids.
    public static func createAutoScalingGroup(_ client: AWSClient, name: String, size: Int) async throws -> [String] {
        _ = try await client.send(.query(service: .ec2, action: "CreateLaunchTemplate", version: "2016-11-15", parameters: [
            AWSQueryItem("LaunchTemplateName", name + "-lt"), AWSQueryItem("LaunchTemplateData.ImageId", imageId),
            AWSQueryItem("LaunchTemplateData.InstanceType", "t2.micro"),
        ]))
        _ = try await client.send(.query(service: .autoScaling, action: "CreateAutoScalingGroup", version: "2011-01-01", parameters: [
            AWSQueryItem("AutoScalingGroupName", name), AWSQueryItem("LaunchTemplate.LaunchTemplateName", name + "-lt"),
            AWSQueryItem("LaunchTemplate.Version", "$Latest"), AWSQueryItem("MinSize", String(size)),
            AWSQueryItem("MaxSize", String(size)), AWSQueryItem("DesiredCapacity", String(size)),
            AWSQueryItem("AvailabilityZones.member.1", "us-east-1a"),
        ]))
        let root = try await client.send(.query(service: .autoScaling, action: "DescribeAutoScalingGroups", version: "2011-01-01",
                                                parameters: [AWSQueryItem("AutoScalingGroupNames.member.1", name)])).xml()
        return (root.first("Instances")?.children("member") ?? []).compactMap { $0["InstanceId"] }
    }

    /// A value no other test uses, for tags and group names on the shared server.
    public static func unique(_ purpose: String) -> String {
        "\(purpose)-\(UUID().uuidString.lowercased().prefix(8))"
    }
}
