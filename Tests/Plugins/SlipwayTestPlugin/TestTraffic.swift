import Foundation
import SlipwayPluginKit
import Synchronization

/// Traffic target "test-traffic": the "service" is a JSON file (`stateFile`) holding the current
/// version, the candidate, the candidate's weight and a log of every primitive call, so a test
/// can check the exact sequence the runner drove.
struct TestTraffic: TrafficPlugin {
    struct Config: Decodable, Sendable {
        var stateFile: String
        /// Hook names (or event names) whose runHook fails.
        var failHooks: [String]?
        /// Method names that fail (e.g. "promote"), to test rollback paths.
        var failMethods: [String]?
    }

    /// What the state file holds.
    struct Service: Codable {
        var current: String?
        var candidate: String?
        var weight: Double = 0
        var log: [String] = []
    }

    static let targetType = "test-traffic"
    static let implementsHooks = true
    static let configSchema: JSONValue = [
        "type": "object",
        "required": ["stateFile"],
        "additionalProperties": false,
        "properties": [
            "stateFile": ["type": "string", "minLength": 1],
            "failHooks": ["type": "array", "items": ["type": "string"]],
            "failMethods": ["type": "array", "items": ["type": "string"]],
        ],
    ]

    func prepare(_ call: Call, revision: Revision) async throws -> PrepareResult {
        let candidate = "revision \(revision.sha256.prefix(12))"
        if call.plan { return PrepareResult(candidate: candidate, plan: ["create candidate \(candidate)"]) }
        try update(call, "prepare", entry: "prepare \(revision.sha256)") { service in
            service.candidate = revision.sha256
            service.weight = 0
        }
        return PrepareResult(candidate: candidate, state: ["candidate": .string(revision.sha256)])
    }

    func setWeight(_ call: Call, percent: Double) async throws -> PluginResult {
        let text = percent.rounded() == percent ? String(Int(percent)) : String(percent)
        if call.plan { return PluginResult(plan: ["send \(text)% of traffic to the candidate"]) }
        try update(call, "setWeight", entry: "setWeight \(text)") { $0.weight = percent }
        return PluginResult(state: call.state)
    }

    func promote(_ call: Call) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["make the candidate the only version"]) }
        try update(call, "promote", entry: "promote") { service in
            if let candidate = service.candidate { service.current = candidate }
            service.candidate = nil
            service.weight = 0
        }
        return PluginResult(state: call.state)
    }

    func cleanup(_ call: Call) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["remove the old version"]) }
        try update(call, "cleanup", entry: "cleanup") { _ in }
        return PluginResult()
    }

    func abort(_ call: Call) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["send all traffic back and remove the candidate"]) }
        try update(call, "abort", entry: "abort") { service in
            service.candidate = nil
            service.weight = 0
        }
        return PluginResult()
    }

    func runHook(_ call: Call, event: String, hooks: [String]) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["run \(event) hooks: \(hooks.joined(separator: ", "))"]) }
        try update(call, "runHook", entry: (["hook", event] + hooks).joined(separator: " ")) { _ in }
        let failing = call.config.failHooks ?? []
        if let hook = ([event] + hooks).first(where: failing.contains) {
            call.context.emit(level: .error, message: "hook \(hook) failed")
            throw PluginError.failed("\(event) hook \(hook) failed (failHooks)")
        }
        return PluginResult(state: call.state)
    }

    /// Read-modify-write of the state file, serialized within the process, logged before the
    /// configured failure so a test sees the attempt.
    private func update(_ call: Call, _ method: String, entry: String, _ change: (inout Service) -> Void) throws {
        let url = URL(fileURLWithPath: call.config.stateFile)
        try fileLock.withLock { _ in
            var service = (try? JSONDecoder().decode(Service.self, from: Data(contentsOf: url))) ?? Service()
            service.log.append(entry)
            let fails = call.config.failMethods?.contains(method) == true
            if !fails { change(&service) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(service).write(to: url, options: .atomic)
            if fails { throw PluginError.failed("\(method) is configured to fail (failMethods)") }
        }
    }
}

private let fileLock = Mutex<Void>(())
