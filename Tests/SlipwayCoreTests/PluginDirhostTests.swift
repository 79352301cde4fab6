import Foundation
import Testing
@testable import SlipwayCore

/// The C example plugin (examples/plugins/dirhost), built with its Makefile and loaded like any plugin.
@Suite("dirhost example plugin")
struct PluginDirhostTests {
    let plugin: LoadedPlugin
    /// A root with a space, a quote and a non-ASCII letter: exercises JSON escaping both ways.
    let root: String
    let archive: String
    let sha = String(repeating: "0123456789abcdef", count: 4)

    init() throws {
        plugin = try PluginLoader().load(path: try PluginFixtures.dirhostLibrary())
        let base = try PluginFixtures.temporaryFolder("dirhost")
        root = base + "/hosts \"qa\" ü"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let content = base + "/content"
        try FileManager.default.createDirectory(atPath: content + "/bin", withIntermediateDirectories: true)
        try "hello\n".write(toFile: content + "/index.html", atomically: true, encoding: .utf8)
        try "#!/bin/sh\n".write(toFile: content + "/bin/start", atomically: true, encoding: .utf8)
        archive = base + "/revision.tar.gz"
        try PluginFixtures.run(["tar", "-czf", archive, "-C", content, "."])
    }

    var config: ConfigValue { .object(["root": .string(root), "hosts": .array([.string("a"), .string("b")])]) }

    func deployParams(host: String, archive: String? = nil, plan: Bool = false) -> ConfigValue {
        PluginFixtures.params("dirhost", config: config, plan: plan, extra: [
            "host": .object(["id": .string(host), "name": .string(host), "revision": .null, "healthy": .bool(true)]),
            "revision": PluginFixtures.revision(sha: sha, archive: archive ?? self.archive),
            "previousRevision": .null,
        ])
    }

    @Test func theManifestDeclaresAFleetTypeWithASchema() {
        #expect(plugin.manifest.name == "dirhost")
        #expect(plugin.manifest.version == SemanticVersion(1, 0, 0))
        let target = plugin.manifest.targetType("dirhost")
        #expect(target?.primitives == .fleet)
        #expect(target?.methods == ["discover", "deployHost"])
        let problems = JSONSchemaValidator(schema: target?.configSchema ?? .null)
            .validate(.object(["root": .string("/x"), "hosts": .array([.string("../etc")]), "extra": .bool(true)]))
        #expect(problems.map(\.path) == ["with.extra", "with.hosts[0]"])
    }

    @Test func deployHostUnpacksTheRevisionAndSwitchesCurrent() async throws {
        let before = try await plugin.call("discover", PluginFixtures.params("dirhost", config: config))
        func undeployed(_ id: String) -> ConfigValue {
            .object(["id": .string(id), "name": .string(id), "revision": .null, "healthy": .bool(true)])
        }
        #expect(before["hosts"] == .array([undeployed("a"), undeployed("b")]))

        let log = PluginEventLog()
        let result = try await plugin.call("deployHost", deployParams(host: "a"), events: log)
        #expect(result == .object(["status": .string("succeeded")]))
        let release = "\(root)/a/releases/\(sha)"
        #expect(try String(contentsOfFile: release + "/index.html", encoding: .utf8) == "hello\n")
        #expect(FileManager.default.fileExists(atPath: release + "/bin/start"))
        #expect(!FileManager.default.fileExists(atPath: release + "/.slipway-archive"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/a/current") == "releases/\(sha)")
        #expect(log.events.map(\.message) == ["copying revision \(sha.prefix(12))", "unpacking into releases/\(sha.prefix(12))",
                                              "current -> releases/\(sha)"])
        #expect(log.events.allSatisfy { $0.host == "a" })

        let after = try await plugin.call("discover", PluginFixtures.params("dirhost", config: config))
        #expect(after["hosts"]?.arrayValue?.map { $0["revision"] } == [.string(sha), .null])
    }

    @Test func deployingTheSameRevisionAgainIsIdempotent() async throws {
        _ = try await plugin.call("deployHost", deployParams(host: "b"))
        try "changed\n".write(toFile: "\(root)/b/releases/\(sha)/index.html", atomically: true, encoding: .utf8)
        let log = PluginEventLog()
        _ = try await plugin.call("deployHost", deployParams(host: "b"), events: log)
        #expect(log.events.first?.message == "release \(sha.prefix(12)) already unpacked")
        #expect(try String(contentsOfFile: "\(root)/b/releases/\(sha)/index.html", encoding: .utf8) == "changed\n")
    }

    @Test func planModeCreatesNothing() async throws {
        let result = try await plugin.call("deployHost", deployParams(host: "a", plan: true))
        #expect(result["plan"]?.arrayValue?.count == 3)
        #expect(result["plan"]?.arrayValue?.last == .string("point \(root)/a/current at releases/\(sha)"))
        #expect(!FileManager.default.fileExists(atPath: root + "/a"))
    }

    @Test func aHostOutsideTheListIsNotFound() async {
        do {
            _ = try await plugin.call("deployHost", deployParams(host: "c"))
            Issue.record("deployed to an unlisted host")
        } catch {
            #expect(error.code == PluginCallError.notFound)
            #expect(error.message == "host c is not in the stage's hosts")
        }
    }

    @Test func aBrokenArchiveFailsWithTarsMessageAndLeavesCurrentAlone() async throws {
        let broken = root + "/broken.tar.gz"
        try "this is not gzip".write(toFile: broken, atomically: true, encoding: .utf8)
        do {
            _ = try await plugin.call("deployHost", deployParams(host: "a", archive: broken))
            Issue.record("a broken archive deployed")
        } catch {
            #expect(error.code == "failed")
            #expect(error.message.hasPrefix("tar -xf \(broken) exited with status"))
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/a/current"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/a/releases/\(sha)"))
    }

    @Test func aMissingRootIsInvalidConfig() async {
        do {
            _ = try await plugin.call("discover", PluginFixtures.params("dirhost", config: .object([:])))
            Issue.record("discover without root succeeded")
        } catch {
            #expect(error.code == PluginCallError.invalidConfig)
        }
    }
}
