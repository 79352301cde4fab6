import Foundation

/// An Auto Scaling group as blue/green deployments copy it: how it launches, its sizes, where
/// it runs, the target groups it registers its instances in, its tags and instances.
public struct AutoScalingGroupDescription: Sendable, Equatable {
    public struct LaunchTemplate: Sendable, Equatable {
        public var id: String?
        public var name: String?
        public var version: String?
    }

    public var name: String
    public var launchTemplate: LaunchTemplate?
    public var launchConfigurationName: String?
    public var minSize: Int
    public var maxSize: Int
    public var desiredCapacity: Int
    public var availabilityZones: [String]
    /// Comma-separated subnet ids.
    public var vpcZoneIdentifier: String?
    public var targetGroupARNs: [String]
    public var healthCheckType: String?
    public var healthCheckGracePeriod: Int?
    public var tags: [String: String]
    public var instances: [AutoScalingInstance]
}

/// The group-level calls: describe (by name or tag), create a copy, attach and detach target
/// groups, tag, delete.
extension AutoScalingClient {
    /// Groups by name; a name that does not exist is simply absent.
    public func groups(names: [String]) async throws -> [AutoScalingGroupDescription] {
        guard !names.isEmpty else { return [] }
        return try await describeGroups(names.enumerated().map { AWSQueryItem("AutoScalingGroupNames.member.\($0.offset + 1)", $0.element) })
    }

    /// Groups carrying tag `key` = `value`.
    public func groups(taggedWith key: String, value: String) async throws -> [AutoScalingGroupDescription] {
        try await describeGroups([AWSQueryItem("Filters.member.1.Name", "tag:" + key), AWSQueryItem("Filters.member.1.Values.member.1", value)])
    }

    private func describeGroups(_ parameters: [AWSQueryItem]) async throws -> [AutoScalingGroupDescription] {
        var found: [AutoScalingGroupDescription] = []
        var nextToken: String?
        repeat {
            var page = parameters
            if let nextToken { page.append(AWSQueryItem("NextToken", nextToken)) }
            let root = try await client.send(.query(service: .autoScaling, action: "DescribeAutoScalingGroups", version: Self.version, parameters: page)).xml()
            let result = root.child("DescribeAutoScalingGroupsResult")
            found += (result?.child("AutoScalingGroups")?.children("member") ?? []).map(Self.group)
            nextToken = result?["NextToken"]?.nilIfEmpty
        } while nextToken != nil
        return found
    }

    /// Creates `name` launching like `template` (launch template or configuration, zones,
    /// subnets, health check, sizes), registering in `targetGroupARNs`, tagged with `tags`.
    public func createGroup(_ name: String, copying template: AutoScalingGroupDescription, targetGroupARNs: [String],
                            tags: [String: String]) async throws {
        var parameters = [AWSQueryItem("AutoScalingGroupName", name), AWSQueryItem("MinSize", String(template.minSize)),
                          AWSQueryItem("MaxSize", String(template.maxSize)), AWSQueryItem("DesiredCapacity", String(template.desiredCapacity))]
        if let launch = template.launchTemplate {
            if let id = launch.id { parameters.append(AWSQueryItem("LaunchTemplate.LaunchTemplateId", id)) }
            else if let name = launch.name { parameters.append(AWSQueryItem("LaunchTemplate.LaunchTemplateName", name)) }
            if let version = launch.version { parameters.append(AWSQueryItem("LaunchTemplate.Version", version)) }
        } else if let configuration = template.launchConfigurationName {
            parameters.append(AWSQueryItem("LaunchConfigurationName", configuration))
        }
        if let subnets = template.vpcZoneIdentifier, !subnets.isEmpty {
            parameters.append(AWSQueryItem("VPCZoneIdentifier", subnets))
        } else {
            for (index, zone) in template.availabilityZones.enumerated() {
                parameters.append(AWSQueryItem("AvailabilityZones.member.\(index + 1)", zone))
            }
        }
        if let type = template.healthCheckType { parameters.append(AWSQueryItem("HealthCheckType", type)) }
        if let grace = template.healthCheckGracePeriod { parameters.append(AWSQueryItem("HealthCheckGracePeriod", String(grace))) }
        for (index, arn) in targetGroupARNs.enumerated() {
            parameters.append(AWSQueryItem("TargetGroupARNs.member.\(index + 1)", arn))
        }
        for (index, tag) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters += Self.tagParameters(index: index + 1, group: name, key: tag.key, value: tag.value)
        }
        _ = try await client.send(.query(service: .autoScaling, action: "CreateAutoScalingGroup", version: Self.version, parameters: parameters))
    }

    /// Registers the group's instances (now and future) in the target groups.
    public func attachTargetGroups(_ arns: [String], toGroup name: String) async throws {
        guard !arns.isEmpty else { return }
        _ = try await client.send(.query(service: .autoScaling, action: "AttachLoadBalancerTargetGroups", version: Self.version,
                                         parameters: [AWSQueryItem("AutoScalingGroupName", name)] + Self.targetGroupMembers(arns)))
    }

    /// Deregisters the group's instances from the target groups and stops registering new ones.
    public func detachTargetGroups(_ arns: [String], fromGroup name: String) async throws {
        guard !arns.isEmpty else { return }
        _ = try await client.send(.query(service: .autoScaling, action: "DetachLoadBalancerTargetGroups", version: Self.version,
                                         parameters: [AWSQueryItem("AutoScalingGroupName", name)] + Self.targetGroupMembers(arns)))
    }

    public func setTags(_ tags: [String: String], onGroup name: String) async throws {
        guard !tags.isEmpty else { return }
        var parameters: [AWSQueryItem] = []
        for (index, tag) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters += Self.tagParameters(index: index + 1, group: name, key: tag.key, value: tag.value)
        }
        _ = try await client.send(.query(service: .autoScaling, action: "CreateOrUpdateTags", version: Self.version, parameters: parameters))
    }

    /// Deletes the group and terminates its instances (ForceDelete).
    public func deleteGroup(_ name: String) async throws {
        _ = try await client.send(.query(service: .autoScaling, action: "DeleteAutoScalingGroup", version: Self.version,
                                         parameters: [AWSQueryItem("AutoScalingGroupName", name), AWSQueryItem("ForceDelete", "true")]))
    }

    static func tagParameters(index: Int, group: String, key: String, value: String) -> [AWSQueryItem] {
        let prefix = "Tags.member.\(index)."
        return [AWSQueryItem(prefix + "ResourceId", group), AWSQueryItem(prefix + "ResourceType", "auto-scaling-group"),
                AWSQueryItem(prefix + "Key", key), AWSQueryItem(prefix + "Value", value), AWSQueryItem(prefix + "PropagateAtLaunch", "false")]
    }

    static func targetGroupMembers(_ arns: [String]) -> [AWSQueryItem] {
        arns.enumerated().map { AWSQueryItem("TargetGroupARNs.member.\($0.offset + 1)", $0.element) }
    }

    static func group(_ member: AWSXML.Element) -> AutoScalingGroupDescription {
        let launch = member.child("LaunchTemplate").map {
            AutoScalingGroupDescription.LaunchTemplate(id: $0["LaunchTemplateId"]?.nilIfEmpty, name: $0["LaunchTemplateName"]?.nilIfEmpty,
                                                       version: $0["Version"]?.nilIfEmpty)
        }
        var tags: [String: String] = [:]
        for tag in member.child("Tags")?.children("member") ?? [] {
            if let key = tag["Key"] { tags[key] = tag["Value"] ?? "" }
        }
        let instances = (member.child("Instances")?.children("member") ?? []).compactMap { instance -> AutoScalingInstance? in
            guard let id = instance["InstanceId"] else { return nil }
            return AutoScalingInstance(instanceId: id, lifecycleState: instance["LifecycleState"] ?? "unknown",
                                       healthStatus: instance["HealthStatus"] ?? "unknown")
        }
        return AutoScalingGroupDescription(
            name: member["AutoScalingGroupName"] ?? "", launchTemplate: launch,
            launchConfigurationName: member["LaunchConfigurationName"]?.nilIfEmpty,
            minSize: member["MinSize"].flatMap { Int($0) } ?? 0, maxSize: member["MaxSize"].flatMap { Int($0) } ?? 0,
            desiredCapacity: member["DesiredCapacity"].flatMap { Int($0) } ?? 0,
            availabilityZones: (member.child("AvailabilityZones")?.children("member") ?? []).map(\.text),
            vpcZoneIdentifier: member["VPCZoneIdentifier"]?.nilIfEmpty,
            targetGroupARNs: (member.child("TargetGroupARNs")?.children("member") ?? []).map(\.text),
            healthCheckType: member["HealthCheckType"]?.nilIfEmpty,
            healthCheckGracePeriod: member["HealthCheckGracePeriod"].flatMap { Int($0) },
            tags: tags, instances: instances)
    }
}
