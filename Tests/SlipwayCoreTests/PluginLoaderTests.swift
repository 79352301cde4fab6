import Foundation
import Testing
@testable import SlipwayCore

@Suite("Plugin loading")
struct PluginLoaderTests {
    static let goodManifest = #"{"name":"c-test","version":"0.3.0","targetTypes":[{"type":"c-test","primitives":"fleet","configSchema":{}}]}"#

    @Test func aLibraryWithoutTheEntrySymbolIsNotAPlugin() throws {
        let folder = try PluginFixtures.temporaryFolder("not-plugin")
        let path = try PluginFixtures.buildCLibrary(source: "int answer(void) { return 42; }\n", name: "libfoo.so", in: folder)
        #expect(throws: PluginLoadError.notAPlugin(path: path)) { try PluginLoader().load(path: path) }
        let error = PluginLoadError.notAPlugin(path: path)
        #expect(error.description.hasSuffix("libfoo.so is not a Slipway plugin: no slipway_plugin_v1 symbol"))
    }

    @Test func anotherABIVersionIsRefused() throws {
        let folder = try PluginFixtures.temporaryFolder("abi")
        let path = try PluginFixtures.buildCLibrary(
            source: PluginFixtures.cPluginSource(abiVersion: 2, manifest: Self.goodManifest), name: "libabi2.so", in: folder)
        do {
            _ = try PluginLoader().load(path: path)
            Issue.record("an ABI 2 plugin loaded")
        } catch {
            #expect(error == .abiMismatch(path: path, found: 2, expected: 1))
            #expect(error.description.hasSuffix("libabi2.so was built for plugin ABI 2, this Slipway speaks 1"))
        }
    }

    @Test func aManifestThatIsNotJSONIsRefusedWithTheParserMessage() throws {
        let folder = try PluginFixtures.temporaryFolder("bad-json")
        let path = try PluginFixtures.buildCLibrary(
            source: PluginFixtures.cPluginSource(manifest: #"{"name": "broken", "version": }"#), name: "libbroken.so", in: folder)
        do {
            _ = try PluginLoader().load(path: path)
            Issue.record("a plugin with a broken manifest loaded")
        } catch {
            guard case .manifestNotJSON(let reported, let detail) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reported == path)
            #expect(detail == "Invalid value around character 30.")
            #expect(error.description.hasSuffix("libbroken.so manifest is not valid JSON: Invalid value around character 30."))
        }
    }

    @Test(arguments: [
        (#"{"name":"x","version":"1.0.0","targetTypes":[{"type":"x","primitives":"rolling"}]}"#,
         "targetTypes[0].primitives must be fleet or traffic"),
        (#"{"name":"x","version":"1.0","targetTypes":[{"type":"x","primitives":"fleet"}]}"#,
         #"version "1.0" is not a semantic version"#),
        (#"{"name":"x","version":"1.0.0","targetTypes":[]}"#, "targetTypes must be a non-empty array"),
        (#"{"name":"x","version":"1.0.0","targetTypes":[{"type":"x","primitives":"traffic","methods":["prepare"]}]}"#,
         "targetTypes[0].methods must include setWeight"),
        (#"{"name":"x","version":"1.0.0","targetTypes":[{"type":"x","primitives":"fleet","methods":["discover","deployHost","fly"]}]}"#,
         #"targetTypes[0].methods: "fly" is not a fleet method"#),
        (#"{"name":"x","version":"1.0.0","targetTypes":[{"type":"x","primitives":"fleet"},{"type":"x","primitives":"fleet"}]}"#,
         #"targetTypes[1].type "x" is listed twice"#),
        (#"{"name":"x","version":"1.0.0","targetTypes":[{"type":"x","primitives":"fleet","configSchema":[]}]}"#,
         "targetTypes[0].configSchema must be a JSON Schema object"),
    ])
    func invalidManifestsAreRefusedWithTheFieldAtFault(manifest: String, expected: String) throws {
        let problem = #expect(throws: ManifestProblem.self) {
            try PluginManifest.parse(try ConfigValue.parseJSON(manifest))
        }
        #expect(problem?.message.hasPrefix(expected) == true, "\(problem?.message ?? "no error")")
    }

    @Test func aManifestWithoutMethodsGetsTheRequiredOnesAndAnEmptySchema() throws {
        let manifest = try PluginManifest.parse(try ConfigValue.parseJSON(
            #"{"name":"x","version":"2.1.0-rc.1","targetTypes":[{"type":"x","primitives":"traffic"}]}"#))
        #expect(manifest.version == SemanticVersion(2, 1, 0, prerelease: ["rc", "1"]))
        #expect(manifest.targetTypes[0].methods == ["prepare", "setWeight", "promote", "cleanup", "abort"])
        #expect(manifest.targetTypes[0].configSchema == .object([:]))
    }

    @Test func aFileThatIsNotALibraryCannotBeOpened() throws {
        let folder = try PluginFixtures.temporaryFolder("junk")
        let path = folder + "/libjunk.so"
        try "not an ELF file".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try PluginLoader().load(path: path)
        } throws: { error in
            guard case .cannotOpen(let reported, let reason) = error as? PluginLoadError else { return false }
            return reported == path && !reason.isEmpty
        }
    }

    @Test func scanningSkipsBrokenFilesAndTheRegistryReportsThemWhenATypeIsMissing() throws {
        let folder = try PluginFixtures.temporaryFolder("scan")
        let notPlugin = try PluginFixtures.buildCLibrary(source: "int answer(void) { return 42; }\n", name: "libother.so", in: folder)
        let good = try PluginFixtures.buildCLibrary(source: PluginFixtures.cPluginSource(manifest: Self.goodManifest),
                                                    name: "libgood.so", in: folder)
        try "ignored: not a .so".write(toFile: folder + "/README", atomically: true, encoding: .utf8)

        let registry = try PluginRegistry.load(PluginSearchPath(directories: [folder, folder + "/missing"]))
        #expect(registry.plugins.map(\.path) == [good])
        #expect(registry.skipped == [.notAPlugin(path: notPlugin)])
        #expect(registry.targetTypes == ["c-test"])
        #expect(try registry.plugin(for: "c-test").manifest.name == "c-test")
        do {
            _ = try registry.plugin(for: "dirhost")
            Issue.record("found a plugin for an unserved type")
        } catch {
            #expect(error.description.contains(#"no plugin serves target type "dirhost""#))
            #expect(error.description.contains("libother.so is not a Slipway plugin"))
        }
    }

    @Test func twoPluginsInOneFolderServingATypeIsAnErrorNamingBoth() throws {
        let folder = try PluginFixtures.temporaryFolder("duplicate")
        let first = try PluginFixtures.buildCLibrary(source: PluginFixtures.cPluginSource(manifest: Self.goodManifest), name: "liba.so", in: folder)
        let second = try PluginFixtures.buildCLibrary(source: PluginFixtures.cPluginSource(manifest: Self.goodManifest), name: "libb.so", in: folder)
        #expect(throws: PluginLoadError.duplicateTargetType(type: "c-test", firstPath: first, secondPath: second)) {
            try PluginRegistry.load(PluginSearchPath(directories: [folder]))
        }
    }

    @Test func anEarlierSearchFolderShadowsALaterOne() throws {
        let early = try PluginFixtures.temporaryFolder("early")
        let late = try PluginFixtures.temporaryFolder("late")
        let used = try PluginFixtures.buildCLibrary(source: PluginFixtures.cPluginSource(manifest: Self.goodManifest), name: "libx.so", in: early)
        let ignored = try PluginFixtures.buildCLibrary(source: PluginFixtures.cPluginSource(manifest: Self.goodManifest), name: "libx.so", in: late)
        let registry = try PluginRegistry.load(PluginSearchPath(directories: [early, late]))
        #expect(try registry.plugin(for: "c-test").path == used)
        #expect(registry.shadowed.map(\.ignored) == [ignored])
    }

    @Test func theSameFileReachedTwiceIsLoadedOnce() throws {
        let folder = try PluginFixtures.temporaryFolder("twice")
        try PluginFixtures.buildCLibrary(source: PluginFixtures.cPluginSource(manifest: Self.goodManifest), name: "libonce.so", in: folder)
        let linked = try PluginFixtures.temporaryFolder("link")
        try FileManager.default.createSymbolicLink(atPath: linked + "/libonce.so", withDestinationPath: folder + "/libonce.so")
        let registry = try PluginRegistry.load(PluginSearchPath(directories: [folder, linked]))
        #expect(registry.plugins.count == 1)
    }

    @Test func theStandardSearchPathHasTheDocumentedOrder() {
        let path = PluginSearchPath.standard(
            pluginPaths: ["/opt/extra", "relative/plugins"],
            environment: ["SLIPWAY_PLUGIN_PATH": "/env/one::/env/two"],
            projectRoot: "/repo",
            executablePath: "/usr/local/bin/slipway",
            workingDirectory: "/work")
        #expect(path.directories == [
            "/opt/extra", "/work/relative/plugins", "/env/one", "/env/two", "/repo/.slipway/plugins",
            "/usr/local/lib/slipway/plugins", "/usr/local/bin",
        ])
    }

    @Test func searchFoldersAreDeduplicatedKeepingTheFirstPosition() {
        let path = PluginSearchPath.standard(pluginPaths: ["/build/debug"], environment: [:], projectRoot: nil,
                                             executablePath: "/build/debug/slipway", workingDirectory: "/")
        #expect(path.directories == ["/build/debug", "/build/lib/slipway/plugins"])
    }

    @Test func theBuildFolderOfTheTestRunnerIsSearchedAndHoldsTheSwiftTestPlugin() throws {
        let path = PluginSearchPath.standard(environment: [:], projectRoot: nil)
        #expect(path.directories.last == PluginFixtures.buildFolder)
        let registry = try PluginRegistry.load(PluginSearchPath(directories: [PluginFixtures.buildFolder]))
        #expect(try registry.plugin(for: "test-fleet").manifest.name == "slipway-test")
        #expect(try registry.plugin(for: "test-traffic").path == PluginFixtures.swiftTestPluginPath)
    }
}
