import Foundation

/// One instance of an Auto Scaling group.
public struct AutoScalingInstance: Sendable, Equatable {
    public var instanceId: String
    /// `InService`, `Pending`, `Terminating`, …
    public var lifecycleState: String
    /// `Healthy` or `Unhealthy`.
    public var healthStatus: String

    public init(instanceId: String, lifecycleState: String, healthStatus: String) {
        self.instanceId = instanceId
        self.lifecycleState = lifecycleState
        self.healthStatus = healthStatus
    }

    public var isHealthyInService: Bool { lifecycleState == "InService" && healthStatus == "Healthy" }
}

/// The Auto Scaling calls host discovery needs: the instances of one group.
public struct AutoScalingClient: Sendable {
    public let client: AWSClient
    static let version = "2011-01-01"

    public init(client: AWSClient) {
        self.client = client
    }

    public struct GroupNotFound: Error, Sendable, CustomStringConvertible {
        public var name: String
        public var description: String { "no Auto Scaling group named \(name)" }
    }

    public func instances(ofGroup name: String) async throws -> [AutoScalingInstance] {
        let request = AWSRequest.query(service: .autoScaling, action: "DescribeAutoScalingGroups", version: Self.version,
                                       parameters: [AWSQueryItem("AutoScalingGroupNames.member.1", name)])
        let root = try await client.send(request).xml()
        let groups = root.first("AutoScalingGroups")?.children("member") ?? []
        guard let group = groups.first(where: { $0["AutoScalingGroupName"] == name }) else { throw GroupNotFound(name: name) }
        return (group.child("Instances")?.children("member") ?? []).compactMap { member in
            guard let id = member["InstanceId"] else { return nil }
            return AutoScalingInstance(instanceId: id, lifecycleState: member["LifecycleState"] ?? "unknown",
                                       healthStatus: member["HealthStatus"] ?? "unknown")
        }
    }
}
