import Foundation
import Synchronization
import SlipwayAWS
import SlipwayHost
import SlipwayPluginKit
import SlipwaySSM

/// `with.ssm`: where bundles are staged for hosts reached through Systems Manager.
struct SSMSettings: Decodable, Sendable {
    /// The S3 bucket hosts fetch bundles from (presigned GET URLs; the hosts need no S3 rights).
    var bucket: String?
    /// Key prefix of staged bundles (default `slipway-ssm/`).
    var prefix: String?
    /// How long a command may wait for the instance's agent, in seconds (default 600).
    var deliveryTimeout: Int?

    static let schema: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "bucket": ["type": "string", "minLength": 3],
            "prefix": ["type": "string"],
            "deliveryTimeout": ["type": "integer", "minimum": 30, "maximum": 2_592_000],
        ],
    ]
}

/// Builds the `ssm` transport of a host: the host id (or alias) is the instance id.
enum SSMConnector {
    /// One AWS client per region and endpoint for the plugin process (one URLSession, shared
    /// connections), however many hosts.
    private static let clients = Mutex<[String: AWSClient]>([:])

    static func transport(_ entry: HostEntry, config: EC2Config) throws(PluginError) -> SSMTransport {
        let instanceId = entry.alias ?? entry.id
        let key = (config.region ?? "") + "|" + (config.endpoint ?? "")
        let client: AWSClient
        if let existing = clients.withLock({ $0[key] }) {
            client = existing
        } else {
            let made = try EC2Discovery.awsClient(config)
            client = clients.withLock { clients in
                if let raced = clients[key] { return raced }
                clients[key] = made
                return made
            }
        }
        let settings = config.ssm
        let staging = settings?.bucket.map { SSMStaging(s3: S3Client(client: client), bucket: $0, prefix: settings?.prefix ?? "slipway-ssm/") }
        var options = SSMTransportOptions(comment: "slipway \(config.application ?? "") \(entry.id)")
        if let delivery = settings?.deliveryTimeout { options.deliveryTimeoutSeconds = delivery }
        return SSMTransport(instanceId: instanceId, ssm: SSMClient(client: client), staging: staging, options: options)
    }
}
