import Foundation
import Synchronization
import Testing
@testable import SlipwayCore

/// Calls into the Swift test plugin (SlipwayPluginKit over the C ABI), loaded from the build folder.
@Suite("Plugin calls")
struct PluginCallTests {
    let plugin: LoadedPlugin
    let root: String

    init() throws {
        plugin = try PluginFixtures.loadSwiftTestPlugin()
        root = try PluginFixtures.temporaryFolder("fleet")
        for host in ["web-1", "web-2"] {
            try FileManager.default.createDirectory(atPath: root + "/" + host, withIntermediateDirectories: true)
        }
    }

    var fleetConfig: ConfigValue { .object(["root": .string(root)]) }
    let sha = String(repeating: "ab", count: 32)

    func deployParams(host: String, config: ConfigValue? = nil, plan: Bool = false) -> ConfigValue {
        PluginFixtures.params("test-fleet", config: config ?? fleetConfig, plan: plan, extra: [
            "host": .object(["id": .string(host), "name": .string(host), "revision": .null, "healthy": .bool(true)]),
            "revision": PluginFixtures.revision(sha: sha, archive: "/nonexistent.tgz"),
            "previousRevision": .null,
        ])
    }

    @Test func theManifestIsBuiltFromTheSwiftTypes() {
        #expect(plugin.manifest.name == "slipway-test")
        #expect(plugin.manifest.version == SemanticVersion(1, 4, 2))
        let fleet = plugin.manifest.targetType("test-fleet")
        #expect(fleet?.primitives == .fleet)
        #expect(fleet?.methods == ["discover", "deployHost", "blockTraffic", "allowTraffic"])
        #expect(fleet?.configSchema["required"] == .array([.string("root")]))
        let traffic = plugin.manifest.targetType("test-traffic")
        #expect(traffic?.primitives == .traffic)
        #expect(traffic?.implements("runHook") == true)
    }

    @Test func discoverThenDeployHostWritesTheRevisionAndStreamsEvents() async throws {
        let found = try await plugin.call("discover", PluginFixtures.params("test-fleet", config: fleetConfig))
        #expect(found["hosts"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["web-1", "web-2"])
        #expect(found["hosts"]?.arrayValue?.first?["revision"] == .null)

        let log = PluginEventLog()
        let result = try await plugin.call("deployHost", deployParams(host: "web-2"), events: log)
        #expect(result["status"] == .string("succeeded"))
        #expect(result["state"] == .object(["lastHost": .string("web-2")]))
        let written = try String(contentsOfFile: root + "/web-2/REVISION", encoding: .utf8)
        #expect(written == sha + "\n")
        #expect(log.events.map(\.fields["step"]) == ["start", "done"])
        #expect(log.events.allSatisfy { $0.host == "web-2" && $0.level == .info })

        let again = try await plugin.call("discover", PluginFixtures.params("test-fleet", config: fleetConfig))
        #expect(again["hosts"]?.arrayValue?[1]["revision"] == .string(sha))
    }

    @Test func anErrorThrownByThePluginBecomesCodeAndMessage() async throws {
        let config: ConfigValue = .object(["root": .string(root), "failHosts": .array([.string("web-1")])])
        let log = PluginEventLog()
        do {
            _ = try await plugin.call("deployHost", deployParams(host: "web-1", config: config), events: log)
            Issue.record("a failing host succeeded")
        } catch {
            #expect(error.code == "failed")
            #expect(error.message == "host web-1 is configured to fail (failHosts)")
            #expect(error.plugin == "slipway-test")
            #expect(error.method == "deployHost")
        }
        #expect(log.events.contains { $0.level == .error && $0.message == "ValidateService failed" })
        #expect(!FileManager.default.fileExists(atPath: root + "/web-1/REVISION"))
    }

    @Test func aConfigThePluginCannotDecodeIsInvalidConfig() async {
        do {
            _ = try await plugin.call("discover", PluginFixtures.params("test-fleet", config: .object(["delayMs": .number(3)])))
            Issue.record("discover without root succeeded")
        } catch {
            #expect(error.code == PluginCallError.invalidConfig)
            #expect(error.message.contains("root"))
        }
    }

    @Test func planModeReturnsPlanLinesAndChangesNothing() async throws {
        let result = try await plugin.call("deployHost", deployParams(host: "web-1", plan: true))
        #expect(result["plan"] == .array([.string("write \(sha) to \(root)/web-1/REVISION")]))
        #expect(!FileManager.default.fileExists(atPath: root + "/web-1/REVISION"))
    }

    @Test(.timeLimit(.minutes(2)))
    func twoHundredConcurrentCallsAllComplete() async throws {
        let config: ConfigValue = .object(["root": .string(root), "delayMs": .number(5)])
        for index in 0..<200 {
            try FileManager.default.createDirectory(atPath: "\(root)/h\(index)", withIntermediateDirectories: true)
        }
        let plugin = self.plugin
        let statuses = try await withThrowingTaskGroup(of: ConfigValue?.self) { group in
            for index in 0..<200 {
                let params = deployParams(host: "h\(index)", config: config)
                group.addTask { try await plugin.call("deployHost", params)["status"] }
            }
            return try await group.reduce(into: [ConfigValue?]()) { $0.append($1) }
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 == .string("succeeded") })
        let written = try (0..<200).filter { index in
            try String(contentsOfFile: "\(root)/h\(index)/REVISION", encoding: .utf8) == sha + "\n"
        }
        #expect(written.count == 200)
    }

    @Test func theCallersCancellationFlagReachesThePlugin() async {
        let config: ConfigValue = .object(["root": .string(root), "delayMs": .number(60_000)])
        do {
            _ = try await plugin.call("deployHost", params: deployParams(host: "web-1", config: config),
                                      events: { _ in }, isCancelled: { true })
            Issue.record("a cancelled call succeeded")
        } catch {
            #expect(error.isCancelled)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func cancellingTheCallingTaskCancelsTheCall() async {
        let config: ConfigValue = .object(["root": .string(root), "delayMs": .number(600_000)])
        let log = PluginEventLog()
        let plugin = self.plugin
        let params = deployParams(host: "web-1", config: config)
        let task = Task { try await plugin.call("deployHost", params, events: log) }
        // Cancel once the plugin is inside the long call (it emits "start" first).
        while log.events.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        let outcome = await task.result
        #expect(throws: PluginCallError.self) { try outcome.get() }
        if case .failure(let error as PluginCallError) = outcome { #expect(error.code == "cancelled") }
    }

    @Test func aMethodTheManifestDoesNotListIsRefusedBeforeCallingThePlugin() async {
        do {
            _ = try await plugin.call("runHook", PluginFixtures.params("test-fleet", config: fleetConfig))
            Issue.record("runHook on a fleet type succeeded")
        } catch {
            #expect(error.code == PluginCallError.unsupportedMethod)
        }
    }

    @Test func blockAndAllowTrafficRecordMembership() async throws {
        let params = deployParams(host: "web-1")
        _ = try await plugin.call("blockTraffic", params)
        #expect(try String(contentsOfFile: root + "/web-1/TRAFFIC", encoding: .utf8) == "blocked\n")
        _ = try await plugin.call("allowTraffic", params)
        #expect(try String(contentsOfFile: root + "/web-1/TRAFFIC", encoding: .utf8) == "allowed\n")
    }
}

@Suite("Traffic plugin calls")
struct PluginTrafficCallTests {
    let plugin: LoadedPlugin
    let stateFile: String

    init() throws {
        plugin = try PluginFixtures.loadSwiftTestPlugin()
        stateFile = try PluginFixtures.temporaryFolder("traffic") + "/service.json"
    }

    func params(_ config: [String: ConfigValue] = [:], plan: Bool = false, state: ConfigValue = .null,
                extra: [String: ConfigValue] = [:]) -> ConfigValue {
        var fields = config
        fields["stateFile"] = .string(stateFile)
        return PluginFixtures.params("test-traffic", config: .object(fields), plan: plan, state: state, extra: extra)
    }

    func service() throws -> ConfigValue {
        try ConfigValue.parseJSON(String(contentsOfFile: stateFile, encoding: .utf8))
    }

    let sha = String(repeating: "cd", count: 32)

    @Test func aShiftIsObservableStepByStepAndStateRoundTrips() async throws {
        let prepared = try await plugin.call("prepare", params(extra: ["revision": PluginFixtures.revision(sha: sha, archive: "/a.tgz")]))
        #expect(prepared["candidate"] == .string("revision \(sha.prefix(12))"))
        let state = try #require(prepared["state"])
        #expect(state == .object(["candidate": .string(sha)]))

        let tenPercent = try await plugin.call("setWeight", params(state: state, extra: ["percent": .number(10)]))
        #expect(tenPercent["state"] == state)
        #expect(try service()["weight"] == .number(10))
        _ = try await plugin.call("setWeight", params(state: state, extra: ["percent": .number(100)]))
        _ = try await plugin.call("promote", params(state: state))
        _ = try await plugin.call("cleanup", params(state: state))

        let final = try service()
        #expect(final["current"] == .string(sha))
        #expect(final["candidate"] == nil || final["candidate"] == .null)
        #expect(final["log"] == .array(["prepare \(sha)", "setWeight 10", "setWeight 100", "promote", "cleanup"].map(ConfigValue.string)))
    }

    @Test func aListedHookFailsAndAbortRestoresTheOriginal() async throws {
        _ = try await plugin.call("prepare", params(extra: ["revision": PluginFixtures.revision(sha: sha, archive: "/a.tgz")]))
        do {
            _ = try await plugin.call("runHook", params(["failHooks": .array([.string("CheckHealth")])],
                                                        extra: ["event": .string("AfterAllowTraffic"),
                                                                "hooks": .array([.string("Warm"), .string("CheckHealth")])]))
            Issue.record("a failing hook succeeded")
        } catch {
            #expect(error.code == "failed")
            #expect(error.message == "AfterAllowTraffic hook CheckHealth failed (failHooks)")
        }
        _ = try await plugin.call("abort", params())
        let final = try service()
        #expect(final["weight"] == .number(0))
        #expect(final["log"]?.arrayValue?.last == .string("abort"))
        #expect(final["log"]?.arrayValue?.dropFirst().first == .string("hook AfterAllowTraffic Warm CheckHealth"))
    }

    @Test func planModeDescribesTheStepAndTouchesNoFile() async throws {
        let result = try await plugin.call("setWeight", params(plan: true, extra: ["percent": .number(25)]))
        #expect(result["plan"] == .array([.string("send 25% of traffic to the candidate")]))
        #expect(!FileManager.default.fileExists(atPath: stateFile))
    }

    @Test func aWeightOutsideZeroToHundredIsRejectedByTheKit() async {
        do {
            _ = try await plugin.call("setWeight", params(extra: ["percent": .number(140)]))
            Issue.record("140% accepted")
        } catch {
            #expect(error.code == PluginCallError.invalidConfig)
        }
    }
}
