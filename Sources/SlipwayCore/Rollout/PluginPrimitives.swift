import Foundation
import SlipwayEvents
import SlipwayJSON
import Synchronization

/// The fleet and traffic primitives of one stage's deployment, served by a loaded plugin over
/// the C ABI: every call carries the deployment id, the stage's settings, plan mode and the
/// plugin's opaque state, and every state it returns is journaled before the next call, so a
/// resumed deployment hands the plugin exactly what it last said.
public final class PluginPrimitives: FleetPrimitives, TrafficPrimitives {
    let plugin: LoadedPlugin
    let targetType: PluginManifest.TargetType
    let deploymentId: DeploymentID
    let stage: String
    let config: ConfigValue
    let plan: Bool
    let sink: any EventSink
    let isCancelled: @Sendable () -> Bool
    /// Called with each new plugin state (the journal).
    let onState: @Sendable (ConfigValue) async -> Void
    private let state: Mutex<ConfigValue>
    /// Lines plugins reported in plan mode.
    private let planLines = Mutex<[String]>([])

    public init(plugin: LoadedPlugin, targetType: PluginManifest.TargetType, deploymentId: DeploymentID, stage: String,
                config: ConfigValue, plan: Bool, state: ConfigValue = .null, sink: any EventSink,
                isCancelled: @escaping @Sendable () -> Bool, onState: @escaping @Sendable (ConfigValue) async -> Void) {
        self.plugin = plugin
        self.targetType = targetType
        self.deploymentId = deploymentId
        self.stage = stage
        self.config = config
        self.plan = plan
        self.state = Mutex(state)
        self.sink = sink
        self.isCancelled = isCancelled
        self.onState = onState
    }

    public var reportedPlan: [String] { planLines.withLock { $0 } }

    /// Calls `method` with the common parameters plus `extra`; journals a returned state.
    @discardableResult
    func call(_ method: String, _ extra: [String: ConfigValue] = [:]) async throws(PrimitiveError) -> ConfigValue {
        var params: [String: ConfigValue] = [
            "deploymentId": .string(deploymentId.rawValue), "stage": .string(stage),
            "targetType": .string(targetType.type), "config": config, "plan": .bool(plan),
            "state": state.withLock { $0 },
        ]
        params.merge(extra) { _, new in new }
        let sink = self.sink, scope = "stage/\(stage)"
        let result: ConfigValue
        do {
            result = try await plugin.call(method, params: .object(params), events: { event in
                let eventScope = event.host.map { "host/\($0)" } ?? scope
                switch event.level {
                case .info: sink.emit(.stageProgress(scope: eventScope, message: event.message, fields: event.fields))
                case .warning: sink.emit(.warning(event.message, scope: eventScope))
                case .error: sink.emit(.error(event.message, scope: eventScope))
                }
            }, isCancelled: isCancelled)
        } catch {
            throw PrimitiveError(code: error.code, message: error.message)
        }
        if let newState = result["state"], newState != .null {
            state.withLock { $0 = newState }
            await onState(newState)
        }
        if plan, let lines = result["plan"]?.arrayValue {
            planLines.withLock { $0 += lines.compactMap(\.stringValue) }
        }
        return result
    }

    // MARK: Fleet

    public var controlsTraffic: Bool {
        targetType.methods.contains("blockTraffic") && targetType.methods.contains("allowTraffic")
    }

    public func discover() async throws(PrimitiveError) -> [FleetHost] {
        let result = try await call("discover")
        guard let hosts = result["hosts"]?.arrayValue else {
            throw PrimitiveError(message: "\(plugin.manifest.name): discover returned no \"hosts\" list")
        }
        return try hosts.map { (value: ConfigValue) throws(PrimitiveError) -> FleetHost in
            guard let id = value["id"]?.stringValue else {
                throw PrimitiveError(message: "\(plugin.manifest.name): discover returned a host without an id")
            }
            return FleetHost(id: id, name: value["name"]?.stringValue, revision: value["revision"]?.stringValue,
                             healthy: value["healthy"]?.boolValue ?? true)
        }
    }

    public func deployHost(_ host: FleetHost, revision: RevisionRef, previous: RevisionRef?) async throws(PrimitiveError) {
        try await call("deployHost", ["host": host.configValue, "revision": revision.configValue,
                                      "previousRevision": previous?.configValue ?? .null])
    }

    public func blockTraffic(_ host: FleetHost) async throws(PrimitiveError) {
        try await call("blockTraffic", ["host": host.configValue])
    }

    public func allowTraffic(_ host: FleetHost) async throws(PrimitiveError) {
        try await call("allowTraffic", ["host": host.configValue])
    }

    // MARK: Traffic

    public func prepare(_ revision: RevisionRef) async throws(PrimitiveError) -> String {
        try await call("prepare", ["revision": revision.configValue])["candidate"]?.stringValue ?? revision.sha256
    }

    public func setWeight(_ percent: Int) async throws(PrimitiveError) {
        try await call("setWeight", ["percent": .number(Double(percent))])
    }

    public func promote() async throws(PrimitiveError) { try await call("promote") }
    public func cleanup() async throws(PrimitiveError) { try await call("cleanup") }
    public func abort() async throws(PrimitiveError) { try await call("abort") }

    public var supportsHooks: Bool { targetType.methods.contains("runHook") }

    public func runHook(_ event: String, hooks: [String]) async throws(PrimitiveError) {
        try await call("runHook", ["event": .string(event), "hooks": .array(hooks.map(ConfigValue.string))])
    }

    public var supportsTestTraffic: Bool { targetType.methods.contains("allowTestTraffic") }

    public func allowTestTraffic() async throws(PrimitiveError) { try await call("allowTestTraffic") }
}

extension FleetHost {
    var configValue: ConfigValue {
        var fields: [String: ConfigValue] = ["id": .string(id), "healthy": .bool(healthy)]
        if let name { fields["name"] = .string(name) }
        fields["revision"] = revision.map(ConfigValue.string) ?? .null
        return .object(fields)
    }
}

extension RevisionRef {
    var configValue: ConfigValue {
        .object(["sha256": .string(sha256), "format": .string(format), "archive": .string(archive), "location": .string(location)])
    }
}
