import SlipwayPluginKit

/// The `with:` of a `lambda` stage. Either `function` and `alias` (the revision archive is the
/// function's new code), or `appspec` (a CodeDeploy Lambda appspec names the function, the alias
/// and both versions, already published).
struct LambdaConfig: Decodable, Sendable {
    var function: String?
    var alias: String?
    /// A CodeDeploy Lambda appspec (YAML or JSON); relative to the runner's working directory.
    var appspec: String?
    /// AWS region and endpoint (default: AWS_REGION / AWS_ENDPOINT_URL, the standard chain).
    var region: String?
    var endpoint: String?
    /// Description of the versions this stage publishes (default: the revision's sha256).
    var versionDescription: String?
    /// How long to wait for a code update to finish, in seconds (default 300).
    var updateTimeoutSeconds: Int?

    static let schema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "properties": [
            // Lambda accepts names, partial and full ARNs: 1–170 characters.
            "function": ["type": "string", "minLength": 1, "maxLength": 170, "pattern": "^[A-Za-z0-9_:.$-]+$"],
            "alias": ["type": "string", "minLength": 1, "maxLength": 128, "pattern": "^(?![0-9]+$)[A-Za-z0-9_-]+$"],
            "appspec": ["type": "string", "minLength": 1],
            "region": ["type": "string", "minLength": 1],
            "endpoint": ["type": "string", "minLength": 1],
            "versionDescription": ["type": "string", "maxLength": 256],
            "updateTimeoutSeconds": ["type": "integer", "minimum": 1, "maximum": 3600],
        ],
    ]
}
