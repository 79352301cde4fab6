import Foundation
import SlipwayHost
import Synchronization
@testable import SlipwayCore

/// Helpers for the Plugin*Tests: where the plugin libraries are, how to build small C plugins,
/// how to call a plugin and collect its events.
enum PluginFixtures {
    /// The repository (package) root, from this file's location: Tests/SlipwayCoreTests/<file>.
    static let repoRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let headerFolder = repoRoot + "/Sources/SlipwayPluginABI/include"

    /// SwiftPM's build folder: the test runner lives there, next to the `.dynamic` products.
    static let buildFolder: String = {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent().path
    }()

    /// libSlipwayTestPlugin.so, built by `swift build` / `swift test` as a .dynamic product.
    static let swiftTestPluginPath = buildFolder + "/libSlipwayTestPlugin.so"

    static func loadSwiftTestPlugin() throws -> LoadedPlugin {
        try PluginLoader().load(path: swiftTestPluginPath)
    }

    /// The dirhost example built once per test process with its own Makefile, into a temporary
    /// folder so the source tree stays clean.
    static let dirhostBuild: Result<String, PluginFixtureError> = Result { () throws(PluginFixtureError) -> String in
        let folder = try temporaryFolder("dirhost-build")
        let output = folder + "/libslipway-dirhost.so"
        try run(["make", "-s", "-C", repoRoot + "/examples/plugins/dirhost", "OUT=\(output)"])
        return output
    }

    static func dirhostLibrary() throws -> String { try dirhostBuild.get() }

    /// Compiles `source` into `<folder>/<name>` as a shared library with the plugin header.
    @discardableResult
    static func buildCLibrary(source: String, name: String, in folder: String) throws -> String {
        let sourcePath = folder + "/" + name + ".c"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let output = folder + "/" + name
        try run(["cc", "-shared", "-fPIC", "-I", headerFolder, "-o", output, sourcePath])
        return output
    }

    /// C source of a plugin whose entry returns the given ABI version and manifest text.
    static func cPluginSource(abiVersion: Int = 1, manifest: String) -> String {
        let literal = manifest.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return """
        #include "slipway_plugin.h"
        static void call(const char *method, const char *params, const slipway_host *host,
                         slipway_reply_fn reply, void *context) {
            (void)method; (void)params; (void)host;
            reply(context, SLIPWAY_OK, "{}");
        }
        static const slipway_plugin plugin = { \(abiVersion), "\(literal)", call };
        const slipway_plugin *slipway_plugin_v1(void) { return &plugin; }
        """
    }

    /// The folders of one test process share a parent named after its pid: the plugins are
    /// loaded from them until the process ends, so the next test process removes the parents of
    /// processes that are gone (`ScratchFolders`) instead of each test cleaning up after itself.
    private static let processFolder: String = {
        ScratchFolders.sweep(in: NSTemporaryDirectory(), "slipway-plugin-tests.")
        return ScratchFolders.namePrefix(in: NSTemporaryDirectory(), "slipway-plugin-tests.") + UUID().uuidString
    }()

    static func temporaryFolder(_ label: String) throws(PluginFixtureError) -> String {
        let path = processFolder + "/\(label)-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PluginFixtureError(message: "cannot create \(path): \(error)")
        }
        return path
    }

    /// Runs a tool and fails with its output when it exits non-zero.
    static func run(_ arguments: [String]) throws(PluginFixtureError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { throw PluginFixtureError(message: "\(arguments[0]): \(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PluginFixtureError(message: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: output, as: UTF8.self))")
        }
    }

    /// The params object of a call, as the runner builds it.
    static func params(_ targetType: String, config: ConfigValue, plan: Bool = false, state: ConfigValue = .null,
                       deploymentId: String = "d-TEST0001", extra: [String: ConfigValue] = [:]) -> ConfigValue {
        var fields: [String: ConfigValue] = [
            "deploymentId": .string(deploymentId), "stage": .string("test"), "targetType": .string(targetType),
            "config": config, "plan": .bool(plan), "state": state,
        ]
        fields.merge(extra) { _, new in new }
        return .object(fields)
    }

    static func revision(sha: String, archive: String, format: String = "tgz") -> ConfigValue {
        .object(["sha256": .string(sha), "format": .string(format), "archive": .string(archive),
                 "location": .string("file:///store/revisions/\(sha).tar.gz")])
    }
}

struct PluginFixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Collects the events of calls; the plugin may emit from any thread.
final class PluginEventLog: Sendable {
    private let storage = Mutex<[PluginEvent]>([])

    var events: [PluginEvent] { storage.withLock { $0 } }

    var sink: @Sendable (PluginEvent) -> Void {
        { [self] event in self.storage.withLock { $0.append(event) } }
    }
}

extension LoadedPlugin {
    /// A call with no cancellation and events dropped or logged.
    func call(_ method: String, _ params: ConfigValue, events: PluginEventLog? = nil) async throws(PluginCallError) -> ConfigValue {
        let sink: @Sendable (PluginEvent) -> Void
        if let events { sink = events.sink } else { sink = { _ in } }
        return try await call(method, params: params, events: sink, isCancelled: { false })
    }
}
