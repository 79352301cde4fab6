import Foundation

/// Installs one revision on *this* machine with the whole host lifecycle: what a new instance's
/// user data runs (`slipway install-latest`) to catch up with its stage before it serves. The
/// same `HostDeployment` as a pushed deployment, through `LocalTransport`: with root `/` the
/// files go where the appspec says and the agent's folders are in
/// `/opt/codedeploy-agent/deployment-root`; with another root, under that folder.
public struct LocalInstall: Sendable {
    public var root: String
    public var identity: DeploymentIdentity
    public var hookEnvironment: [String: String]
    public var fileExistsOverride: FileExistsBehavior?

    public init(root: String, identity: DeploymentIdentity, hookEnvironment: [String: String] = [:],
                fileExistsOverride: FileExistsBehavior? = nil) {
        self.root = root
        self.identity = identity
        self.hookEnvironment = hookEnvironment
        self.fileExistsOverride = fileExistsOverride
    }

    /// `/` is the machine itself; any other folder stands for `/`.
    public var layout: HostLayout { root == "/" ? HostLayout() : .local(root: root) }

    /// Unpacks `archive` in a scratch folder (to plan), then deploys it. `revision` (its
    /// sha256) is written to the deployment folder, so later deployments see what this host runs.
    public func install(archive: String, format: String, revision: String,
                        observer: HostDeployment.Observer = HostDeployment.Observer(),
                        appSpecWarning: (String) -> Void = { _ in }) async throws(HostDeploymentError) {
        let scratch = NSTemporaryDirectory() + "slipway-install-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bundle: LocalBundle
        let appSpec: AppSpec
        do {
            try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            bundle = try LocalBundle.unpack(archive: archive, format: format, into: scratch + "/bundle")
            let loaded = try AppSpecFile.load(bundle: bundle)
            appSpec = loaded.appSpec
            loaded.warnings.forEach(appSpecWarning)
        } catch {
            throw HostDeploymentError(event: nil, message: error.message)
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw HostDeploymentError(event: nil, message: "cannot create \(root): \(error.localizedDescription)")
        }
        let deployment = HostDeployment(transport: LocalTransport(root: root), layout: layout, identity: identity,
                                        hookEnvironment: hookEnvironment, fileExistsOverride: fileExistsOverride,
                                        revisionLabel: revision)
        try await deployment.deploy(bundle: bundle, appSpec: appSpec, observer: observer)
    }
}

extension DeploymentIdentity {
    /// The on-host folder of a deployment group (CodeDeploy uses the group's UUID; we derive a
    /// stable name from the group name): `dg-<name>` with anything unsafe as `_`.
    public static func groupFolder(forGroupName name: String) -> String {
        "dg-" + String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}
