/// What a deployment targets, named as CodeDeploy's `computePlatform` (lower-cased).
public enum ComputePlatform: String, Sendable, Equatable, Hashable, CaseIterable {
    case server, lambda, ecs

    /// The spelling CodeDeploy uses (`Server`, `Lambda`, `ECS`), for messages.
    public var awsName: String {
        switch self {
        case .server: "Server"
        case .lambda: "Lambda"
        case .ecs: "ECS"
        }
    }
}

/// A deployment configuration: either an in-place fleet rollout or a traffic shift.
public enum DeploymentConfig: Sendable, Equatable, Hashable {
    case fleet(MinimumHealthyHosts)
    case traffic(TrafficShift)

    /// Human-readable problems; empty when the configuration is valid.
    public func validate() -> [String] {
        switch self {
        case .fleet(let minimum): minimum.validate()
        case .traffic(let shift): shift.validate()
        }
    }
}

/// A deployment configuration with the name pipelines refer to it by.
public struct NamedDeploymentConfig: Sendable, Equatable, Hashable {
    public var name: String
    public var platform: ComputePlatform
    public var config: DeploymentConfig

    public init(name: String, platform: ComputePlatform, config: DeploymentConfig) {
        self.name = name
        self.platform = platform
        self.config = config
    }

    /// CodeDeploy reserves this prefix for its predefined configurations.
    public static let reservedPrefix = "CodeDeployDefault."

    /// Problems with the configuration, its name and its fit to the platform; empty when valid.
    /// The predefined configurations are valid; a custom one may not borrow their prefix.
    public func validate() -> [String] {
        var problems: [String] = []
        if name.isEmpty {
            problems.append("a deployment config needs a name")
        } else if name.hasPrefix(Self.reservedPrefix), DeploymentConfigs.named(name) != self {
            problems.append("custom deployment config \"\(name)\" must not start with \"\(Self.reservedPrefix)\"")
        }
        // Lambda and ECS only shift weighted traffic; they have no hosts to batch. Server configs
        // may carry a traffic shift: Slipway uses it for blue/green, which the plugin decides.
        switch (platform, config) {
        case (.lambda, .fleet), (.ecs, .fleet):
            problems.append("\(platform == .ecs ? "an" : "a") \(platform.awsName) deployment config "
                + "needs a traffic shift, not minimum healthy hosts")
        default:
            break
        }
        return problems + config.validate()
    }
}
