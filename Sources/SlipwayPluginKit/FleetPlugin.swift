/// In-place deployments, one host at a time: the runner picks batches, orders hosts, checks
/// minimum healthy hosts and rolls back; the plugin only knows how to deploy one host.
public protocol FleetPlugin: Sendable {
    /// The stage's `with:` as the plugin wants it; a decoding failure is an `invalidConfig` error.
    associatedtype Config: Decodable & Sendable
    typealias Call = PluginCall<Config>

    /// The `target:` name a stage uses, e.g. "dirhost".
    static var targetType: String { get }
    /// JSON Schema of `with:`; the runner validates the stage against it before anything runs.
    static var configSchema: JSONValue { get }
    /// True when the plugin implements `blockTraffic` / `allowTraffic` (load balancer membership).
    static var implementsTrafficControl: Bool { get }

    init()

    func discover(_ call: Call) async throws -> DiscoverResult
    /// Runs the whole lifecycle of one host with one revision. Emit progress with the host's id.
    func deployHost(_ call: Call, host: FleetHost, revision: Revision, previousRevision: Revision?) async throws -> PluginResult
    func blockTraffic(_ call: Call, host: FleetHost) async throws -> PluginResult
    func allowTraffic(_ call: Call, host: FleetHost) async throws -> PluginResult
}

extension FleetPlugin {
    public static var implementsTrafficControl: Bool { false }

    public func blockTraffic(_ call: Call, host: FleetHost) async throws -> PluginResult {
        throw PluginError(code: "unsupportedMethod", message: "\(Self.targetType) does not implement blockTraffic")
    }

    public func allowTraffic(_ call: Call, host: FleetHost) async throws -> PluginResult {
        throw PluginError(code: "unsupportedMethod", message: "\(Self.targetType) does not implement allowTraffic")
    }
}
