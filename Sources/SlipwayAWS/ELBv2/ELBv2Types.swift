import Foundation

/// An Application, Network or Gateway load balancer (DescribeLoadBalancers).
public struct ELBv2LoadBalancer: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var dnsName: String?
    /// `provisioning`, `active`, `active_impaired`, `failed`.
    public var state: String
    /// `application`, `network`, `gateway`.
    public var type: String
    public var vpcId: String?

    public init(arn: String, name: String, dnsName: String?, state: String, type: String, vpcId: String?) {
        self.arn = arn
        self.name = name
        self.dnsName = dnsName
        self.state = state
        self.type = type
        self.vpcId = vpcId
    }
}

/// A target group (DescribeTargetGroups). `loadBalancerArns` lists the load balancers whose
/// listeners or rules forward to it.
public struct ELBv2TargetGroup: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var `protocol`: String?
    public var port: Int?
    public var vpcId: String?
    /// `instance`, `ip`, `lambda`, `alb`.
    public var targetType: String
    public var loadBalancerArns: [String]

    public init(arn: String, name: String, protocol: String?, port: Int?, vpcId: String?, targetType: String, loadBalancerArns: [String]) {
        self.arn = arn
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.vpcId = vpcId
        self.targetType = targetType
        self.loadBalancerArns = loadBalancerArns
    }
}

/// A target of a target group: an instance id (or IP, or Lambda ARN) and, optionally, a port
/// that overrides the group's.
public struct ELBv2Target: Sendable, Hashable {
    public var id: String
    public var port: Int?

    public init(id: String, port: Int? = nil) {
        self.id = id
        self.port = port
    }
}

/// One row of DescribeTargetHealth.
public struct ELBv2TargetHealth: Sendable, Equatable {
    public var target: ELBv2Target
    /// `initial`, `healthy`, `unhealthy`, `unhealthy.draining`, `unused`, `draining`, `unavailable`.
    public var state: String
    /// `Target.NotRegistered`, `Target.DeregistrationInProgress`, … (absent when healthy).
    public var reason: String?
    public var description: String?

    public init(target: ELBv2Target, state: String, reason: String?, description: String?) {
        self.target = target
        self.state = state
        self.reason = reason
        self.description = description
    }

    /// Deregistration is over: the target is no longer registered (not draining any more).
    public var isDeregistered: Bool { state == "unused" && reason == "Target.NotRegistered" }
}

/// A target group and its share of a weighted forward (0–999; the share is weight / sum).
public struct ELBv2WeightedTargetGroup: Sendable, Hashable {
    public var targetGroupArn: String
    public var weight: Int?

    public init(targetGroupArn: String, weight: Int?) {
        self.targetGroupArn = targetGroupArn
        self.weight = weight
    }
}

/// A listener or rule action. Only `forward` is built by Slipway; other types (redirect,
/// fixed-response, authenticate-*) are read so that callers can leave them untouched.
public struct ELBv2Action: Sendable, Equatable {
    public var type: String
    public var order: Int?
    /// A plain forward to one target group.
    public var targetGroupArn: String?
    /// A (possibly weighted) forward to several target groups.
    public var forwardTargetGroups: [ELBv2WeightedTargetGroup]?
    public var stickinessEnabled: Bool?
    public var stickinessDurationSeconds: Int?

    public init(type: String, order: Int? = nil, targetGroupArn: String? = nil,
                forwardTargetGroups: [ELBv2WeightedTargetGroup]? = nil,
                stickinessEnabled: Bool? = nil, stickinessDurationSeconds: Int? = nil) {
        self.type = type
        self.order = order
        self.targetGroupArn = targetGroupArn
        self.forwardTargetGroups = forwardTargetGroups
        self.stickinessEnabled = stickinessEnabled
        self.stickinessDurationSeconds = stickinessDurationSeconds
    }

    /// A forward to one target group.
    public static func forward(to targetGroupArn: String) -> ELBv2Action {
        ELBv2Action(type: "forward", targetGroupArn: targetGroupArn)
    }

    /// A weighted forward, e.g. `[(blue, 90), (green, 10)]`, in the given order.
    public static func weightedForward(_ weights: [(targetGroupArn: String, weight: Int)],
                                       stickinessEnabled: Bool? = nil, stickinessDurationSeconds: Int? = nil) -> ELBv2Action {
        ELBv2Action(type: "forward", forwardTargetGroups: weights.map { ELBv2WeightedTargetGroup(targetGroupArn: $0.targetGroupArn, weight: $0.weight) },
                    stickinessEnabled: stickinessEnabled, stickinessDurationSeconds: stickinessDurationSeconds)
    }

    /// The weight of each target group this forward sends to (a plain forward is weight 1;
    /// a ForwardConfig member without a weight counts 1, as on AWS). Empty for other types.
    public var forwardWeights: [String: Int] {
        guard type == "forward" else { return [:] }
        if let forwardTargetGroups, !forwardTargetGroups.isEmpty {
            var weights: [String: Int] = [:]
            for group in forwardTargetGroups { weights[group.targetGroupArn, default: 0] += group.weight ?? 1 }
            return weights
        }
        return targetGroupArn.map { [$0: 1] } ?? [:]
    }
}

/// A listener (DescribeListeners).
public struct ELBv2Listener: Sendable, Equatable {
    public var arn: String
    public var loadBalancerArn: String
    public var port: Int?
    public var `protocol`: String?
    public var defaultActions: [ELBv2Action]

    public init(arn: String, loadBalancerArn: String, port: Int?, protocol: String?, defaultActions: [ELBv2Action]) {
        self.arn = arn
        self.loadBalancerArn = loadBalancerArn
        self.port = port
        self.protocol = `protocol`
        self.defaultActions = defaultActions
    }
}

/// A condition of a listener rule; `values` holds the simple forms (`Values`, or the
/// `Values` of the field's own config such as PathPatternConfig).
public struct ELBv2RuleCondition: Sendable, Equatable {
    public var field: String
    public var values: [String]

    public init(field: String, values: [String]) {
        self.field = field
        self.values = values
    }
}

/// A listener rule (DescribeRules). The default rule has priority `default`.
public struct ELBv2Rule: Sendable, Equatable {
    public var arn: String
    public var priority: String
    public var isDefault: Bool
    public var conditions: [ELBv2RuleCondition]
    public var actions: [ELBv2Action]

    public init(arn: String, priority: String, isDefault: Bool, conditions: [ELBv2RuleCondition], actions: [ELBv2Action]) {
        self.arn = arn
        self.priority = priority
        self.isDefault = isDefault
        self.conditions = conditions
        self.actions = actions
    }
}
