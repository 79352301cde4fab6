import Foundation
import SlipwayHost
import Synchronization

/// A temporary local host plus a way to build revisions: each test gets its own folders.
struct HostFixture {
    let base: String
    let hostRoot: String
    var layout: HostLayout { .local(root: hostRoot) }

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-host-\(UUID().uuidString)").path
        hostRoot = base + "/host"
        try FileManager.default.createDirectory(atPath: hostRoot, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: base) }

    /// Writes `files` (executable when the path ends in .sh) into a fresh folder, tars it
    /// (tgz) and unpacks it as the runner would.
    func revision(_ name: String, _ files: [String: String]) throws -> LocalBundle {
        let source = base + "/src-\(name)"
        for (path, text) in files {
            let url = URL(fileURLWithPath: source + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            if path.hasSuffix(".sh") {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
        }
        let archive = base + "/\(name).tgz"
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["-czf", archive, "-C", source, "."]
        try tar.run()
        tar.waitUntilExit()
        return try LocalBundle.unpack(archive: archive, format: "tgz", into: base + "/unpacked-\(name)")
    }

    func deployment(_ id: String, transport: LocalTransport? = nil, env: [String: String] = [:]) -> HostDeployment {
        HostDeployment(transport: transport ?? LocalTransport(root: hostRoot, killGrace: .milliseconds(200)),
                       layout: layout,
                       identity: DeploymentIdentity(deploymentId: id, applicationName: "shop", deploymentGroupName: "web",
                                                    deploymentGroupId: "dg-web", bundleEnvironment: ["BUNDLE_BUCKET": "b", "BUNDLE_KEY": "k.tgz"]),
                       hookEnvironment: env)
    }

    /// Deploys and returns the warnings.
    @discardableResult
    func deploy(_ bundle: LocalBundle, id: String, transport: LocalTransport? = nil, env: [String: String] = [:]) async throws -> [String] {
        let spec = try AppSpecFile.load(bundle: bundle).appSpec
        let warnings = Mutex<[String]>([])
        try await deployment(id, transport: transport, env: env).deploy(
            bundle: bundle, appSpec: spec, observer: .init(warning: { text in warnings.withLock { $0.append(text) } }))
        return warnings.withLock { $0 }
    }

    func read(_ path: String) -> String? {
        try? String(contentsOfFile: hostRoot + path, encoding: .utf8)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: hostRoot + path)
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: hostRoot + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

func appspec(_ body: String) -> String {
    "version: 0.0\nos: linux\n" + body
}
