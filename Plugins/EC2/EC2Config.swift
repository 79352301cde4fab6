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
    var hosts: [HostEntry]
    /// The deployment's file-exists option (the appspec's own setting wins).
    var fileExistsBehavior: String?
    /// Variables every hook sees, on every host.
    var env: [String: String]?
    /// An ssh config file for ssh hosts (default: ~/.ssh/config).
    var sshConfig: String?
}

/// One host: just an id (short form) or `{id, transport, root, env}`.
struct HostEntry: Decodable, Sendable {
    var id: String
    var transport: String?
    var root: String?
    var env: [String: String]?
    /// For ssh hosts: the ssh alias or host name (default: the id).
    var alias: String?

    private enum CodingKeys: String, CodingKey { case id, transport, root, env, alias }

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
    }
}

extension EC2Config {
    static let schema: JSONValue = [
        "type": "object",
        "required": ["hosts"],
        "additionalProperties": false,
        "properties": [
            "application": ["type": "string", "minLength": 1],
            "deploymentGroup": ["type": "string", "pattern": "^[A-Za-z0-9._-]+$"],
            "transport": ["type": "string", "enum": .array(HostConnector.transports.map(JSONValue.string))],
            "root": ["type": "string", "minLength": 1],
            "fileExistsBehavior": ["type": "string", "enum": ["DISALLOW", "OVERWRITE", "RETAIN"]],
            "env": ["type": "object", "additionalProperties": ["type": "string"]],
            "sshConfig": ["type": "string", "minLength": 1],
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
                    ],
                ],
            ],
        ],
    ]
}
