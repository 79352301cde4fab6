import Foundation
import SlipwayPluginKit

/// The `with:` of an `ec2` stage.
struct EC2Config: Decodable, Sendable {
    /// APPLICATION_NAME for hooks; defaults to the stage name.
    var application: String?
    /// DEPLOYMENT_GROUP_NAME for hooks and the on-host folder names; defaults to the stage name.
    var deploymentGroup: String?
    /// The transport of hosts that do not name one.
    var transport: String?
    /// Short form: local hosts live in `<root>/<id>`.
    var root: String?
    /// Static hosts; optional when `discover` finds them in AWS.
    var hosts: [HostEntry]?
    /// Hosts found in AWS: running instances with tags, or the instances of an Auto Scaling group.
    var discover: DiscoverySettings?
    /// AWS region and endpoint for discovery (default: AWS_REGION / AWS_ENDPOINT_URL).
    var region: String?
    var endpoint: String?
    /// How discovered instances are reached (default: ssh to the private IP).
    var reach: ReachSettings?
    /// Discovered instance id -> the host that stands for it (tests map emulator instances to
    /// local folders; the emulator's invented addresses must never be dialled).
    var hostMap: [String: MappedHost]?
    /// The deployment's file-exists option (the appspec's own setting wins).
    var fileExistsBehavior: String?
    /// Variables every hook sees, on every host.
    var env: [String: String]?
    /// An ssh config file for ssh hosts (default: ~/.ssh/config).
    var sshConfig: String?
    /// Target groups each host leaves and rejoins around its deployment (LoadBalancerSettings.swift).
    var loadBalancer: LoadBalancerSettings?
}

struct DiscoverySettings: Decodable, Sendable {
    var tags: [String: String]?
    var autoScalingGroup: String?
}

struct ReachSettings: Decodable, Sendable {
    var transport: String?
    /// `privateIp`, `instanceId` or `tag:<Key>`.
    var address: String?
}

/// A host entry without the id (the instance id is the key).
struct MappedHost: Decodable, Sendable {
    var transport: String?
    var root: String?
    var env: [String: String]?
    var alias: String?
}

/// One host: just an id (short form) or `{id, transport, root, env}`.
struct HostEntry: Decodable, Sendable {
    var id: String
    var transport: String?
    var root: String?
    var env: [String: String]?
    /// For ssh hosts: the ssh alias or host name (default: the id).
    var alias: String?
    /// The EC2 instance behind a static host, for its load balancer target groups (default: the
    /// id when it is an instance id).
    var instanceId: String?

    init(id: String, transport: String? = nil, root: String? = nil, env: [String: String]? = nil, alias: String? = nil) {
        self.id = id
        self.transport = transport
        self.root = root
        self.env = env
        self.alias = alias
    }

    private enum CodingKeys: String, CodingKey { case id, transport, root, env, alias, instanceId }

    init(from decoder: any Decoder) throws {
        if let id = try? decoder.singleValueContainer().decode(String.self) {
            self.id = id
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        transport = try container.decodeIfPresent(String.self, forKey: .transport)
        root = try container.decodeIfPresent(String.self, forKey: .root)
        env = try container.decodeIfPresent([String: String].self, forKey: .env)
        alias = try container.decodeIfPresent(String.self, forKey: .alias)
        instanceId = try container.decodeIfPresent(String.self, forKey: .instanceId)
    }
}

extension EC2Config {
    static let schema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "application": ["type": "string", "minLength": 1],
            "deploymentGroup": ["type": "string", "pattern": "^[A-Za-z0-9._-]+$"],
            "transport": ["type": "string", "enum": .array(HostConnector.transports.map(JSONValue.string))],
            "root": ["type": "string", "minLength": 1],
            "fileExistsBehavior": ["type": "string", "enum": ["DISALLOW", "OVERWRITE", "RETAIN"]],
            "env": ["type": "object", "additionalProperties": ["type": "string"]],
            "sshConfig": ["type": "string", "minLength": 1],
            "region": ["type": "string", "minLength": 1],
            "endpoint": ["type": "string", "minLength": 1],
            "loadBalancer": LoadBalancerSettings.schema,
            "discover": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "tags": ["type": "object", "additionalProperties": ["type": "string"]],
                    "autoScalingGroup": ["type": "string", "minLength": 1],
                ],
            ],
            "reach": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "transport": ["type": "string", "enum": .array(HostConnector.transports.map(JSONValue.string))],
                    "address": ["type": "string", "pattern": "^(privateIp|instanceId|tag:.+)$"],
                ],
            ],
            "hostMap": [
                "type": "object",
                "additionalProperties": [
                    "type": "object", "additionalProperties": false,
                    "properties": [
                        "transport": ["type": "string", "enum": .array(HostConnector.transports.map(JSONValue.string))],
                        "root": ["type": "string", "minLength": 1],
                        "env": ["type": "object", "additionalProperties": ["type": "string"]],
                        "alias": ["type": "string", "minLength": 1],
                    ],
                ],
            ],
            "hosts": [
                "type": "array", "minItems": 1,
                "items": [
                    "type": ["string", "object"],
                    "pattern": "^[A-Za-z0-9._-]+$",
                    "required": ["id"],
                    "additionalProperties": false,
                    "properties": [
                        "id": ["type": "string", "pattern": "^[A-Za-z0-9._-]+$"],
                        "transport": ["type": "string", "enum": .array(HostConnector.transports.map(JSONValue.string))],
                        "root": ["type": "string", "minLength": 1],
                        "env": ["type": "object", "additionalProperties": ["type": "string"]],
                        "alias": ["type": "string", "minLength": 1],
                        "instanceId": ["type": "string", "pattern": "^i-[0-9a-f]+$"],
                    ],
                ],
            ],
        ],
    ]
}
