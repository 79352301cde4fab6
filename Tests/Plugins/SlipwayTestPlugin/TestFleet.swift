import Foundation
import SlipwayPluginKit

/// Fleet target "test-fleet": every directory under `root` is a host; deploying writes the
/// revision's sha to `<root>/<host>/REVISION`. A host with an `UNHEALTHY` file reports unhealthy;
/// a host with a `HOLD` file waits in deployHost until the file is removed, so a test can stop a
/// rollout at a known host without racing a timer.
struct TestFleet: FleetPlugin {
    struct Config: Decodable, Sendable {
        var root: String
        /// Host ids whose deployHost fails.
        var failHosts: [String]?
        /// When set, `failHosts` fail only while deploying a revision whose sha256 starts with
        /// this, so a rollback to the previous revision can succeed.
        var failRevision: String?
        /// How long each deployHost takes, to test concurrency and cancellation.
        var delayMs: Int?
    }

    static let targetType = "test-fleet"
    static let implementsTrafficControl = true
    static let configSchema: JSONValue = [
        "type": "object",
        "required": ["root"],
        "additionalProperties": false,
        "properties": [
            "root": ["type": "string", "minLength": 1],
            "failHosts": ["type": "array", "items": ["type": "string"]],
            "failRevision": ["type": "string"],
            "delayMs": ["type": "integer", "minimum": 0],
        ],
    ]

    func discover(_ call: Call) async throws -> DiscoverResult {
        let root = URL(fileURLWithPath: call.config.root)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root.path)
        } catch {
            throw PluginError.notFound("root \(root.path) cannot be listed: \(error.localizedDescription)")
        }
        var hosts: [FleetHost] = []
        for name in names.sorted() {
            var isDirectory: ObjCBool = false
            let folder = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let revision = try? String(contentsOf: folder.appendingPathComponent("REVISION"), encoding: .utf8)
            let unhealthy = FileManager.default.fileExists(atPath: folder.appendingPathComponent("UNHEALTHY").path)
            hosts.append(FleetHost(id: name, revision: revision?.trimmingCharacters(in: .whitespacesAndNewlines),
                                   healthy: !unhealthy))
        }
        return DiscoverResult(hosts: hosts, plan: call.plan ? ["list the folders under \(root.path)"] : nil)
    }

    func deployHost(_ call: Call, host: FleetHost, revision: Revision, previousRevision: Revision?) async throws -> PluginResult {
        let file = URL(fileURLWithPath: call.config.root).appendingPathComponent(host.id).appendingPathComponent("REVISION")
        if call.plan {
            return PluginResult(plan: ["write \(revision.sha256) to \(file.path)"])
        }
        call.context.emit(message: "deploying \(revision.sha256.prefix(12))", host: host.id, fields: ["step": "start"])
        try await pause(milliseconds: call.config.delayMs ?? 0, context: call.context)
        let hold = file.deletingLastPathComponent().appendingPathComponent("HOLD").path
        while FileManager.default.fileExists(atPath: hold) {
            try await pause(milliseconds: 20, context: call.context)
        }
        if call.config.failHosts?.contains(host.id) == true,
           call.config.failRevision.map({ revision.sha256.hasPrefix($0) }) ?? true {
            call.context.emit(level: .error, message: "ValidateService failed", host: host.id)
            throw PluginError.failed("host \(host.id) is configured to fail (failHosts)")
        }
        try Data((revision.sha256 + "\n").utf8).write(to: file, options: .atomic)
        call.context.emit(message: "deployed", host: host.id, fields: ["step": "done"])
        return PluginResult(state: ["lastHost": .string(host.id)])
    }

    func blockTraffic(_ call: Call, host: FleetHost) async throws -> PluginResult {
        try setTraffic("blocked", call, host)
    }

    func allowTraffic(_ call: Call, host: FleetHost) async throws -> PluginResult {
        try setTraffic("allowed", call, host)
    }

    /// Records the host's load balancer membership in `<root>/<host>/TRAFFIC`.
    private func setTraffic(_ word: String, _ call: Call, _ host: FleetHost) throws -> PluginResult {
        let file = URL(fileURLWithPath: call.config.root).appendingPathComponent(host.id).appendingPathComponent("TRAFFIC")
        if call.plan { return PluginResult(plan: ["write \(word) to \(file.path)"]) }
        try Data((word + "\n").utf8).write(to: file, options: .atomic)
        return PluginResult()
    }
}

/// Sleeps in short slices so a cancelled run stops the call promptly.
func pause(milliseconds: Int, context: PluginContext) async throws {
    var remaining = milliseconds
    while remaining > 0 {
        try context.checkCancellation()
        let slice = min(remaining, 20)
        try await Task.sleep(for: .milliseconds(slice))
        remaining -= slice
    }
    try context.checkCancellation()
}
