import SlipwayPluginKit

/// The `with:` of an `asg-bluegreen` stage: the `ec2` settings that find and reach hosts
/// (`discover.autoScalingGroup` names the blue group's lineage), plus `blueGreen`.
struct BlueGreenConfig: Decodable, Sendable {
    var hosts: EC2Config
    var blueGreen: BlueGreenSettings

    private enum CodingKeys: String, CodingKey { case blueGreen }

    init(from decoder: any Decoder) throws {
        hosts = try EC2Config(from: decoder)
        blueGreen = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(BlueGreenSettings.self, forKey: .blueGreen)
            ?? BlueGreenSettings()
    }

    /// The `ec2` schema without `loadBalancer` (in place only), with `blueGreen`.
    static var schema: JSONValue {
        guard case .object(var root) = EC2Config.schema, case .object(var properties)? = root["properties"] else { return EC2Config.schema }
        properties["loadBalancer"] = nil
        properties["blueGreen"] = BlueGreenSettings.schema
        root["properties"] = .object(properties)
        return .object(root)
    }
}

/// How traffic moves from the blue group to its green copy, and what becomes of blue.
struct BlueGreenSettings: Decodable, Sendable {
    /// Registration mode (CodeDeploy's): green instances join these target groups, blue ones
    /// leave them, all at once. Default: the blue group's own target groups.
    var targetGroups: [String]?
    /// Weighted mode: the listener whose forward is shifted between `targetGroupPair`.
    var listener: String?
    /// Weighted mode on a rule of that listener instead of its default action.
    var rule: String?
    /// Weighted mode: two target groups; the one the listener favours now is blue's, green
    /// gets the other (they alternate from one deployment to the next).
    var targetGroupPair: [String]?
    /// Seconds to wait for the green group's instances to be InService; default 600.
    var greenReadyTimeout: Int?
    var deregistrationTimeout: Int?
    var healthyTimeout: Int?
    var pollInterval: Double?
    var blueInstances: BlueInstances?

    struct BlueInstances: Decodable, Sendable {
        /// `TERMINATE` (default) deletes the blue group; `KEEP_ALIVE` leaves it running, out of
        /// the load balancer, tagged `slipway:retired`.
        var action: String?
        /// Seconds to wait after success before acting on blue (CodeDeploy's termination wait).
        var waitSeconds: Int?
    }

    init() {}

    var isWeighted: Bool { listener != nil }
    var terminatesBlue: Bool { (blueInstances?.action ?? "TERMINATE") == "TERMINATE" }
    var greenReadyLimit: Duration { .seconds(greenReadyTimeout ?? 600) }
    var blueWait: Duration { .seconds(blueInstances?.waitSeconds ?? 0) }

    /// The waits of target registration, as the in-place settings spell them.
    var membershipSettings: LoadBalancerSettings {
        LoadBalancerSettings(targetGroups: [], port: nil, deregistrationTimeout: deregistrationTimeout,
                             healthyTimeout: healthyTimeout, pollInterval: pollInterval)
    }

    static let schema: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "targetGroups": ["type": "array", "minItems": 1, "items": ["type": "string", "minLength": 1]],
            "listener": ["type": "string", "pattern": "^arn:"],
            "rule": ["type": "string", "pattern": "^arn:"],
            "targetGroupPair": ["type": "array", "minItems": 2, "maxItems": 2, "items": ["type": "string", "minLength": 1]],
            "greenReadyTimeout": ["type": "integer", "minimum": 0, "maximum": 7200],
            "deregistrationTimeout": ["type": "integer", "minimum": 0, "maximum": 3600],
            "healthyTimeout": ["type": "integer", "minimum": 0, "maximum": 3600],
            "pollInterval": ["type": "number", "exclusiveMinimum": 0, "maximum": 60],
            "blueInstances": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "action": ["type": "string", "enum": ["TERMINATE", "KEEP_ALIVE"]],
                    "waitSeconds": ["type": "integer", "minimum": 0, "maximum": 172_800],
                ],
            ],
        ],
    ]
}
