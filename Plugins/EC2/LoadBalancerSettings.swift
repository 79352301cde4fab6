import SlipwayPluginKit

/// `with.loadBalancer` of an `ec2` / `asg` stage: the target groups each host leaves before it
/// is deployed and rejoins after ValidateService (CodeDeploy's BlockTraffic / AllowTraffic).
struct LoadBalancerSettings: Decodable, Sendable {
    /// Target group ARNs or names.
    var targetGroups: [String]
    /// The port to register hosts on (default: the target group's).
    var port: Int?
    /// Seconds to wait for a host to finish deregistering (draining); default 300, the ALB's
    /// default deregistration delay.
    var deregistrationTimeout: Int?
    /// Seconds to wait for a registered host to become healthy; default 300.
    var healthyTimeout: Int?
    /// Seconds between two DescribeTargetHealth polls; default 5.
    var pollInterval: Double?

    var deregistrationLimit: Duration { .seconds(deregistrationTimeout ?? 300) }
    var healthyLimit: Duration { .seconds(healthyTimeout ?? 300) }
    var poll: Duration { .milliseconds(Int((pollInterval ?? 5) * 1000)) }

    static let schema: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["targetGroups"],
        "properties": [
            "targetGroups": ["type": "array", "minItems": 1, "items": ["type": "string", "minLength": 1]],
            "port": ["type": "integer", "minimum": 1, "maximum": 65535],
            "deregistrationTimeout": ["type": "integer", "minimum": 0, "maximum": 3600],
            "healthyTimeout": ["type": "integer", "minimum": 0, "maximum": 3600],
            "pollInterval": ["type": "number", "exclusiveMinimum": 0, "maximum": 60],
        ],
    ]
}
