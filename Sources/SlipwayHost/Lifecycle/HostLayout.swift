/// Where things live on one host: the file system root that appspec destinations are relative
/// to, and the agent's deployment root with CodeDeploy's layout under it (codedeploy.md §8).
public struct HostLayout: Sendable, Equatable {
    /// "" on a real host; a folder for a local host standing in for `/`.
    public var fileSystemRoot: String
    /// `/opt/codedeploy-agent/deployment-root` on a real host.
    public var deploymentRoot: String
    /// How many deployment folders per deployment group to keep (the agent's `max_revisions`).
    public var maxRevisions: Int

    public init(fileSystemRoot: String = "", deploymentRoot: String = "/opt/codedeploy-agent/deployment-root", maxRevisions: Int = 5) {
        self.fileSystemRoot = fileSystemRoot
        self.deploymentRoot = deploymentRoot
        self.maxRevisions = maxRevisions
    }

    /// A local host: `root` stands for `/`, the agent's folders sit at the usual path under it.
    public static func local(root: String) -> HostLayout {
        HostLayout(fileSystemRoot: root, deploymentRoot: root + "/opt/codedeploy-agent/deployment-root")
    }

    /// An appspec path (absolute) as it is on this host.
    public func hostPath(_ absolute: String) -> String {
        fileSystemRoot.isEmpty ? absolute : fileSystemRoot + absolute
    }

    public func groupDirectory(_ groupId: String) -> String { "\(deploymentRoot)/\(groupId)" }
    public func deploymentDirectory(_ groupId: String, _ deploymentId: String) -> String { "\(deploymentRoot)/\(groupId)/\(deploymentId)" }
    public func bundlePath(_ groupId: String, _ deploymentId: String) -> String { deploymentDirectory(groupId, deploymentId) + "/bundle.tar" }
    public func archiveDirectory(_ groupId: String, _ deploymentId: String) -> String { deploymentDirectory(groupId, deploymentId) + "/deployment-archive" }
    public func scriptsLog(_ groupId: String, _ deploymentId: String) -> String { deploymentDirectory(groupId, deploymentId) + "/logs/scripts.log" }
    public var instructionsDirectory: String { deploymentRoot + "/deployment-instructions" }
    public func lastSuccessfulInstall(_ groupId: String) -> String { "\(instructionsDirectory)/\(groupId)_last_successful_install" }
    public func mostRecentInstall(_ groupId: String) -> String { "\(instructionsDirectory)/\(groupId)_most_recent_install" }
    public func cleanupManifest(_ groupId: String) -> String { "\(instructionsDirectory)/\(groupId)-cleanup" }
}
