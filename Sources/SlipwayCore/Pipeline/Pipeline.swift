import SlipwayAWS
import SlipwayYAML

/// A pipeline file, decoded and checked: what `slipway run` executes.
/// Reference, key by key: docs/pipeline-reference.md.
public struct Pipeline: Sendable {
    /// The file as the user named it; used in every message about it.
    public var file: String
    /// The directory that relative paths in the pipeline resolve against (see `projectRoot(for:)`).
    public var root: String
    public var name: String
    public var env: [String: String]
    public var vars: [String: Variable]
    public var revision: RevisionSpec
    public var build: [BuildStep]
    public var store: StoreSpec
    public var stages: [Stage]
    /// Plugin name → the version range this pipeline accepts (`plugins:`).
    public var pluginPins: [String: VersionRange] = [:]

    /// The values that must never reach output.
    public var secrets: [String] {
        vars.values.filter(\.secret).map(\.value).filter { !$0.isEmpty }
    }

    public func stage(named name: String) -> Stage? {
        stages.first { $0.name == name }
    }
}

public struct Variable: Sendable, Equatable {
    public var value: String
    public var secret: Bool

    public init(value: String, secret: Bool = false) {
        self.value = value
        self.secret = secret
    }
}

public struct RevisionSpec: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case tgz, tar, zip, tzst
    }

    /// The directory packaged, resolved against the pipeline's root.
    public var source: String
    public var format: Format
    public var include: [String]
    public var exclude: [String]
}

public struct StoreSpec: Sendable, Equatable {
    public enum Location: Sendable, Equatable {
        /// An absolute directory.
        case file(path: String)
        case s3(bucket: String, prefix: String)
    }

    /// The URL as written (after interpolation), for messages.
    public var url: String
    public var location: Location
    public var region: String?
    public var endpoint: String?
    /// How files go up to an s3:// store (`multipartThreshold`, `partSize`, `concurrency`).
    public var transfer = S3TransferOptions()
}

public struct Stage: Sendable {
    public var name: String
    /// The plugin target type that serves this stage (`ec2`, `asg`, `lambda`, `ecs`, or a third party's).
    public var type: String
    public var needs: [String]
    /// Nil when the pipeline leaves it to the target type's default.
    public var strategy: StageStrategy?
    /// Lifecycle event → commands or function names, interpreted by the target's plugin.
    public var hooks: [String: [String]]
    public var gates: [Gate]
    /// Plugin-specific settings, checked against the plugin's schema when it is loaded.
    public var with: ConfigValue
    /// The `with:` node, so a plugin's schema errors can point into the file.
    public var withNode: Node?
    public var mark: Mark
}

/// How a stage rolls out: a predefined CodeDeploy configuration or a custom one.
public struct StageStrategy: Sendable, Equatable {
    /// `CodeDeployDefault.HalfAtATime`, or nil for a custom strategy.
    public var name: String?
    public var config: DeploymentConfig
}

/// A health check polled while a deployment bakes; a failure beyond its budget rolls back.
public struct Gate: Sendable, Equatable {
    public enum Check: Sendable, Equatable {
        /// A CloudWatch alarm by name: failing while it is in ALARM.
        case alarm(name: String)
        /// An HTTP GET that must answer `status` (and contain `body` when given).
        case http(url: String, status: Int, body: String?)
        /// A shell command that must exit 0.
        case command(run: String)
    }

    public var name: String
    public var check: Check
    public var interval: Duration
    public var timeout: Duration
    /// Consecutive failures tolerated before the gate fails the deployment.
    public var failureBudget: Int
}
