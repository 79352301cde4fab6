import Foundation
import Testing
@testable import SlipwayCore

/// The EC2 plugin loaded over the C ABI like the runner loads it, deploying to local hosts.
@Suite struct EC2PluginTests {
    let plugin: LoadedPlugin
    let root: String
    let archive: String
    let sha = String(repeating: "c0", count: 32)

    init() throws {
        plugin = try PluginLoader().load(path: PluginFixtures.buildFolder + "/libSlipwayEC2.so")
        root = try PluginFixtures.temporaryFolder("ec2")
        let source = root + "/revision"
        try FileManager.default.createDirectory(atPath: source + "/site", withIntermediateDirectories: true)
        try "version: 0.0\nos: linux\nfiles:\n  - {source: site, destination: /srv/site}\nhooks:\n  AfterInstall:\n    - location: after.sh\n"
            .write(toFile: source + "/appspec.yml", atomically: true, encoding: .utf8)
        try "v1\n".write(toFile: source + "/site/index.html", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho \"installed for $APPLICATION_NAME on $HOST_LABEL\"\n".write(toFile: source + "/after.sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: source + "/after.sh")
        archive = root + "/revision.tgz"
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["-czf", archive, "-C", source, "."]
        try tar.run()
        tar.waitUntilExit()
    }

    var config: ConfigValue {
        .object(["application": .string("shop"), "root": .string(root + "/hosts"),
                 "hosts": .array([.string("a"), .object(["id": .string("b"), "env": .object(["HOST_LABEL": .string("bee")])])])])
    }

    func deployParams(host: String, plan: Bool = false) -> ConfigValue {
        PluginFixtures.params("ec2", config: config, plan: plan, extra: [
            "host": .object(["id": .string(host), "name": .string(host), "revision": .null, "healthy": .bool(true)]),
            "revision": PluginFixtures.revision(sha: sha, archive: archive),
            "previousRevision": .null,
        ])
    }

    @Test func theManifestServesEc2AsAFleet() {
        #expect(plugin.manifest.name == "ec2")
        let target = plugin.manifest.targetType("ec2")
        #expect(target?.primitives == .fleet)
        #expect(target?.methods == ["discover", "deployHost"])
    }

    @Test func deployHostRunsTheLifecycleAndDiscoverSeesTheRevision() async throws {
        let before = try await plugin.call("discover", PluginFixtures.params("ec2", config: config))
        #expect(before["hosts"]?.arrayValue?.map { $0["revision"] } == [.null, .null])

        let log = PluginEventLog()
        let result = try await plugin.call("deployHost", deployParams(host: "b"), events: log)
        #expect(result["status"] == .string("succeeded"))
        #expect(try String(contentsOfFile: root + "/hosts/b/srv/site/index.html", encoding: .utf8) == "v1\n")
        let output = log.events.first { $0.fields["event"] == "AfterInstall" && $0.fields["stream"] == "stdout" }
        #expect(output?.message == "installed for shop on bee")
        #expect(output?.host == "b")

        let after = try await plugin.call("discover", PluginFixtures.params("ec2", config: config))
        #expect(after["hosts"]?.arrayValue?.map { $0["revision"] } == [.null, .string(sha)])
    }

    @Test func planModeDescribesTheLifecycleAndChangesNothing() async throws {
        let result = try await plugin.call("deployHost", deployParams(host: "a", plan: true))
        let lines = result["plan"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(lines.contains("a ApplicationStop: nothing to do"))
        #expect(lines.contains("a AfterInstall: after.sh"))
        #expect(!FileManager.default.fileExists(atPath: root + "/hosts/a/opt"))
        #expect(!FileManager.default.fileExists(atPath: root + "/hosts/a/srv"))
    }

    @Test func aHostOutsideTheListIsNotFound() async throws {
        await #expect(throws: PluginCallError.self) {
            try await plugin.call("deployHost", deployParams(host: "zzz"))
        }
    }
}
