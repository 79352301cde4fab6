import SlipwayPluginKit

/// The `with:` of an `ecs` stage. Reference: docs/plugins/ecs.md.
struct ECSConfig: Decodable, Sendable {
    var cluster: String
    var service: String
    /// The RegisterTaskDefinition request inside the revision (default `taskdef.json`).
    var taskDefinition: String?
    /// The ECS appspec inside the revision (default: `appspec.yaml`, `appspec.yml` or
    /// `appspec.json` when one declares an ECS service).
    var appspec: String?
    /// `<NAME>` in the task definition file is replaced by the value (e.g. an image from
    /// `${{ vars.IMAGE }}`).
    var placeholders: [String: String]?
    /// The container and port the load balancer sends to; the appspec's LoadBalancerInfo wins.
    var containerName: String?
    var containerPort: Int?
    /// The two target groups (ARNs) that take turns serving production.
    var targetGroups: [String]
    var productionListener: String
    var testListener: String?
    var launchType: String?
    var platformVersion: String?
    var network: NetworkSettings?
    var stability: StabilitySettings?
    /// How long the original task set stays after all traffic moved (CodeDeploy's
    /// terminationWaitTimeInMinutes), e.g. `5m`; default `0s`.
    var terminationWait: String?
    var region: String?
    var endpoint: String?
}

struct NetworkSettings: Decodable, Sendable {
    var subnets: [String]
    var securityGroups: [String]?
    var assignPublicIp: String?
}

/// How the plugin decides that the replacement task set is ready for traffic.
struct StabilitySettings: Decodable, Sendable {
    /// Give up (and roll back) after this long; default `10m`.
    var timeout: String?
    /// Time between probes; default `15s`.
    var interval: String?
    /// A shell command that must exit 0 instead of the ECS probe (stabilityStatus STEADY_STATE
    /// and runningCount ≥ computedDesiredCount). For emulators, which never compute stability,
    /// and for readiness checks of your own.
    var command: String?
}

extension ECSConfig {
    static let duration: JSONValue = ["type": "string", "pattern": "^([0-9]+(ms|s|m|h))+$"]
    static let arn: JSONValue = ["type": "string", "pattern": "^arn:"]

    static let schema: JSONValue = [
        "type": "object",
        "required": ["cluster", "service", "targetGroups", "productionListener"],
        "additionalProperties": false,
        "properties": [
            "cluster": ["type": "string", "minLength": 1],
            "service": ["type": "string", "minLength": 1],
            "taskDefinition": ["type": "string", "minLength": 1],
            "appspec": ["type": "string", "minLength": 1],
            "placeholders": ["type": "object", "additionalProperties": ["type": "string"]],
            "containerName": ["type": "string", "minLength": 1],
            "containerPort": ["type": "integer", "minimum": 1, "maximum": 65535],
            "targetGroups": ["type": "array", "minItems": 2, "maxItems": 2, "items": arn],
            "productionListener": arn,
            "testListener": arn,
            "launchType": ["type": "string", "enum": ["FARGATE", "EC2", "EXTERNAL"]],
            "platformVersion": ["type": "string", "minLength": 1],
            "network": [
                "type": "object", "required": ["subnets"], "additionalProperties": false,
                "properties": [
                    "subnets": ["type": "array", "minItems": 1, "items": ["type": "string"]],
                    "securityGroups": ["type": "array", "items": ["type": "string"]],
                    "assignPublicIp": ["type": "string", "enum": ["ENABLED", "DISABLED"]],
                ],
            ],
            "stability": [
                "type": "object", "additionalProperties": false,
                "properties": ["timeout": duration, "interval": duration, "command": ["type": "string", "minLength": 1]],
            ],
            "terminationWait": duration,
            "region": ["type": "string", "minLength": 1],
            "endpoint": ["type": "string", "minLength": 1],
        ],
    ]
}

/// `90s`, `5m`, `1h30m`, `500ms` (the schema checks the shape).
enum DurationSetting {
    static func parse(_ text: String?, default fallback: Duration) -> Duration {
        guard let text, !text.isEmpty else { return fallback }
        var total = Duration.zero
        var number = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let digit = character.wholeNumberValue {
                number = number * 10 + digit
            } else if text[index...].hasPrefix("ms") {
                total += .milliseconds(number)
                number = 0
                index = text.index(after: index)
            } else {
                switch character {
                case "s": total += .seconds(number)
                case "m": total += .seconds(number * 60)
                case "h": total += .seconds(number * 3600)
                default: return fallback
                }
                number = 0
            }
            index = text.index(after: index)
        }
        return total
    }
}
