/// A plugin library: its name, version and the target types it serves.
///
/// A library serving one type can conform its FleetPlugin / TrafficPlugin type to this protocol
/// and get `targets` for free; a library serving several lists them.
public protocol SlipwayPlugin {
    /// The name pipelines pin a version range on (`plugins: {dirhost: "^1.0"}`).
    static var name: String { get }
    /// A semantic version, e.g. "1.2.0".
    static var version: String { get }
    static var targets: [PluginTarget] { get }
}

extension SlipwayPlugin where Self: FleetPlugin {
    public static var targets: [PluginTarget] { [.fleet(Self.self)] }
}

extension SlipwayPlugin where Self: TrafficPlugin {
    public static var targets: [PluginTarget] { [.traffic(Self.self)] }
}

/// One target type served by a plugin: its manifest entry and the code answering its calls.
public struct PluginTarget: Sendable {
    let type: String
    let primitives: String
    let methods: [String]
    let configSchema: JSONValue
    let handle: @Sendable (_ method: String, _ params: CallParams, _ context: PluginContext) async throws -> [String: JSONValue]

    public static func fleet<Plugin: FleetPlugin>(_ plugin: Plugin.Type) -> PluginTarget {
        let instance = Plugin()
        var methods = ["discover", "deployHost"]
        if Plugin.implementsTrafficControl { methods += ["blockTraffic", "allowTraffic"] }
        return PluginTarget(type: Plugin.targetType, primitives: "fleet", methods: methods,
                            configSchema: Plugin.configSchema) { method, params, context in
            let call: Plugin.Call = try params.call(context: context)
            switch method {
            case "discover":
                let result = try await instance.discover(call)
                var fields = PluginResult(state: result.state, plan: result.plan).fields()
                fields["hosts"] = try JSONValue(encoding: result.hosts)
                return fields
            case "deployHost":
                let result = try await instance.deployHost(
                    call, host: try params.field("host"), revision: try params.field("revision"),
                    previousRevision: try params.optionalField("previousRevision"))
                var fields = result.fields()
                fields["status"] = "succeeded"
                return fields
            case "blockTraffic":
                return try await instance.blockTraffic(call, host: try params.field("host")).fields()
            case "allowTraffic":
                return try await instance.allowTraffic(call, host: try params.field("host")).fields()
            default:
                throw PluginError(code: "unsupportedMethod", message: "\(method) is not a fleet method")
            }
        }
    }

    public static func traffic<Plugin: TrafficPlugin>(_ plugin: Plugin.Type) -> PluginTarget {
        let instance = Plugin()
        var methods = ["prepare", "setWeight", "promote", "cleanup", "abort"]
        if Plugin.implementsHooks { methods.append("runHook") }
        if Plugin.implementsTestTraffic { methods.append("allowTestTraffic") }
        return PluginTarget(type: Plugin.targetType, primitives: "traffic", methods: methods,
                            configSchema: Plugin.configSchema) { method, params, context in
            let call: Plugin.Call = try params.call(context: context)
            switch method {
            case "prepare":
                let result = try await instance.prepare(call, revision: try params.field("revision"))
                var fields = PluginResult(state: result.state, plan: result.plan).fields()
                fields["candidate"] = .string(result.candidate)
                return fields
            case "setWeight":
                let percent: Double = try params.field("percent")
                guard (0...100).contains(percent) else {
                    throw PluginError.invalidConfig("percent must be between 0 and 100, not \(percent)")
                }
                return try await instance.setWeight(call, percent: percent).fields()
            case "promote": return try await instance.promote(call).fields()
            case "cleanup": return try await instance.cleanup(call).fields()
            case "abort": return try await instance.abort(call).fields()
            case "allowTestTraffic": return try await instance.allowTestTraffic(call).fields()
            case "runHook":
                return try await instance.runHook(call, event: try params.field("event"),
                                                  hooks: try params.optionalField("hooks") ?? []).fields()
            default:
                throw PluginError(code: "unsupportedMethod", message: "\(method) is not a traffic method")
            }
        }
    }

    var manifestEntry: JSONValue {
        ["type": .string(type), "primitives": .string(primitives),
         "methods": .array(methods.map(JSONValue.string)), "configSchema": configSchema]
    }
}
