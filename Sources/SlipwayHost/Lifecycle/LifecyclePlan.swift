/// One thing the runner does on a host.
public enum HostStep: Sendable, Equatable {
    /// A shell script the transport runs.
    case run(HostCommand)
    /// Copy a local file to the host.
    case upload(local: String, remote: String)
    /// Done outside the host (BlockTraffic / AllowTraffic: the load balancer).
    case external(String)
}

/// A shell script for /bin/sh on the host, with what it needs to run.
public struct HostCommand: Sendable, Equatable {
    public var script: String
    public var environment: [String: String]
    public var timeout: Duration?
    /// What the log calls it: a hook's location, or "install" for the agent's own work.
    public var label: String
    /// A hook script (its output goes to scripts.log) rather than the agent's own work.
    public var isHook: Bool

    public init(script: String, environment: [String: String] = [:], timeout: Duration? = nil, label: String, isHook: Bool = false) {
        self.script = script
        self.environment = environment
        self.timeout = timeout
        self.label = label
        self.isHook = isHook
    }
}

public struct PlannedEvent: Sendable, Equatable {
    public var event: LifecycleEvent
    public var steps: [HostStep]
    /// Scripts come from the host's last successful revision (ApplicationStop and Block* hooks).
    public var fromPreviousRevision: Bool

    /// Nothing to do (CodeDeploy's `IsCommandNoop`).
    public var isNoop: Bool { steps.isEmpty }
}

/// The whole lifecycle of one host as data: the runner plans, a transport executes.
public struct LifecyclePlan: Sendable, Equatable {
    public var events: [PlannedEvent]

    public func steps(for event: LifecycleEvent) -> [HostStep] {
        events.first { $0.event == event }?.steps ?? []
    }

    /// Human lines for plan mode.
    public var summary: [String] {
        events.map { planned in
            let what = planned.steps.map { step -> String in
                switch step {
                case .run(let command): command.label
                case .upload(_, let remote): "upload \(remote)"
                case .external(let text): text
                }
            }
            return "\(planned.event.rawValue): " + (what.isEmpty ? "nothing to do" : what.joined(separator: ", "))
        }
    }
}

/// Who is deploying what: the values of CodeDeploy's hook environment variables.
public struct DeploymentIdentity: Sendable, Equatable {
    public var deploymentId: String
    public var applicationName: String
    public var deploymentGroupName: String
    public var deploymentGroupId: String
    /// BUNDLE_BUCKET / BUNDLE_KEY / BUNDLE_VERSION / BUNDLE_ETAG for S3 revisions, none otherwise.
    public var bundleEnvironment: [String: String]
    /// The deployment's folder under `<root>/<groupId>/`: the deployment id, except when the
    /// runner deploys a second revision under the same id (a rollback), which gets its own.
    public var folderName: String

    public init(deploymentId: String, applicationName: String, deploymentGroupName: String,
                deploymentGroupId: String, bundleEnvironment: [String: String] = [:]) {
        self.deploymentId = deploymentId
        self.folderName = deploymentId
        self.applicationName = applicationName
        self.deploymentGroupName = deploymentGroupName
        self.deploymentGroupId = deploymentGroupId
        self.bundleEnvironment = bundleEnvironment
    }

    /// BUNDLE_* for a store location: `s3://bucket/key` gives the bucket and key.
    public static func bundleEnvironment(location: String?, etag: String? = nil) -> [String: String] {
        guard let location, location.hasPrefix("s3://") else { return [:] }
        let rest = location.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return [:] }
        var env = ["BUNDLE_BUCKET": String(rest[..<slash]), "BUNDLE_KEY": String(rest[rest.index(after: slash)...])]
        if let etag { env["BUNDLE_ETAG"] = etag }
        return env
    }

    func hookEnvironment(_ event: LifecycleEvent) -> [String: String] {
        var env = bundleEnvironment
        env["LIFECYCLE_EVENT"] = event.rawValue
        env["DEPLOYMENT_ID"] = deploymentId
        env["APPLICATION_NAME"] = applicationName
        env["DEPLOYMENT_GROUP_NAME"] = deploymentGroupName
        env["DEPLOYMENT_GROUP_ID"] = deploymentGroupId
        return env
    }
}

/// What the host says about earlier deployments of this group.
public struct PreviousInstall: Sendable, Equatable {
    /// Paths the previous install placed, in the order it placed them.
    public var cleanupManifest: [String]
    /// The deployment folder of the last successful install and its appspec.
    public var lastSuccessful: (directory: String, appSpec: AppSpec)?
    /// The revision label already in this deployment id's folder, when there is one.
    public var revisionInDeploymentFolder: String?
    /// The entries of the deployment group's folder, newest first, when there were enough to
    /// make this deployment's retention remove some (empty: retention lists them itself).
    public var foldersNewestFirst: [String]

    public init(cleanupManifest: [String] = [], lastSuccessful: (directory: String, appSpec: AppSpec)? = nil,
                revisionInDeploymentFolder: String? = nil, foldersNewestFirst: [String] = []) {
        self.cleanupManifest = cleanupManifest
        self.lastSuccessful = lastSuccessful
        self.revisionInDeploymentFolder = revisionInDeploymentFolder
        self.foldersNewestFirst = foldersNewestFirst
    }

    public static func == (a: PreviousInstall, b: PreviousInstall) -> Bool {
        a.cleanupManifest == b.cleanupManifest && a.lastSuccessful?.directory == b.lastSuccessful?.directory
            && a.lastSuccessful?.appSpec == b.lastSuccessful?.appSpec && a.revisionInDeploymentFolder == b.revisionInDeploymentFolder
            && a.foldersNewestFirst == b.foldersNewestFirst
    }

    /// Parses a cleanup manifest: one path per line; a last line without its newline is a torn
    /// write and skipped, as the agent does.
    public static func parseManifest(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // "a\nb\n" splits into a, b, "": drop the "". "a\nb" splits into a, b: drop the torn b.
        if !lines.isEmpty { lines.removeLast() }
        return lines.filter { !$0.isEmpty }
    }
}

/// A revision unpacked on this machine so the planner can see which sources are files and which
/// are folders.
public struct LocalBundle: Sendable, Equatable {
    /// The archive as the runner has it (uploaded to the host as bundle.tar).
    public var archive: String
    /// "tgz", "tar", "zip" or "tzst".
    public var format: String
    /// The unpacked revision's root (after hoisting).
    public var directory: String
    /// The archive's single top-level folder holding the appspec, which becomes the root.
    public var hoistedFolder: String?

    public init(archive: String, format: String, directory: String, hoistedFolder: String? = nil) {
        self.archive = archive
        self.format = format
        self.directory = directory
        self.hoistedFolder = hoistedFolder
    }
}

public struct PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
