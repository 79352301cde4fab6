/// Traffic-shifted deployments: the runner drives canary / linear / all-at-once steps, bakes,
/// gates and rollback; the plugin only creates the candidate and moves weight.
public protocol TrafficPlugin: Sendable {
    associatedtype Config: Decodable & Sendable
    typealias Call = PluginCall<Config>

    static var targetType: String { get }
    static var configSchema: JSONValue { get }
    /// True when the plugin implements `runHook` (pre/post traffic hooks).
    static var implementsHooks: Bool { get }
    /// True when the plugin implements `allowTestTraffic` (a test route to the candidate).
    static var implementsTestTraffic: Bool { get }

    init()

    /// Creates the candidate (publish a version, create a task set) with no traffic on it.
    func prepare(_ call: Call, revision: Revision) async throws -> PrepareResult
    /// Puts `percent` (0...100) of the traffic on the candidate.
    func setWeight(_ call: Call, percent: Double) async throws -> PluginResult
    /// The candidate becomes the only version with all traffic.
    func promote(_ call: Call) async throws -> PluginResult
    /// Removes what the old version left, after a successful promote.
    func cleanup(_ call: Call) async throws -> PluginResult
    /// All traffic back to the original and the candidate removed.
    func abort(_ call: Call) async throws -> PluginResult
    /// Runs the named hooks of a lifecycle event (BeforeAllowTraffic, AfterAllowTraffic...).
    func runHook(_ call: Call, event: String, hooks: [String]) async throws -> PluginResult
    /// Routes test traffic to the candidate (production traffic stays where it is).
    func allowTestTraffic(_ call: Call) async throws -> PluginResult
}

extension TrafficPlugin {
    public static var implementsHooks: Bool { false }
    public static var implementsTestTraffic: Bool { false }

    public func allowTestTraffic(_ call: Call) async throws -> PluginResult {
        throw PluginError(code: "unsupportedMethod", message: "\(Self.targetType) does not implement allowTestTraffic")
    }

    public func runHook(_ call: Call, event: String, hooks: [String]) async throws -> PluginResult {
        throw PluginError(code: "unsupportedMethod", message: "\(Self.targetType) does not implement runHook")
    }
}
