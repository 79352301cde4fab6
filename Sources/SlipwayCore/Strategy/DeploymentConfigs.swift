/// CodeDeploy's predefined deployment configurations, spelled exactly as AWS spells them
/// (note ECS's plural "Every1Minutes" next to Lambda's "Every1Minute").
public enum DeploymentConfigs {
    public static let predefined: [NamedDeploymentConfig] = server + lambda + ecs

    /// The predefined configuration called exactly `name` (names are case-sensitive in AWS).
    public static func named(_ name: String) -> NamedDeploymentConfig? {
        predefined.first { $0.name == name }
    }

    public static var names: [String] { predefined.map(\.name) }

    /// The configuration CodeDeploy uses for Server deployments that name none.
    public static let defaultServerName = "CodeDeployDefault.OneAtATime"

    private static let server: [NamedDeploymentConfig] = [
        config("OneAtATime", .server, .fleet(.allButOne)),
        config("HalfAtATime", .server, .fleet(.fleetPercent(50))),
        config("AllAtOnce", .server, .fleet(.hostCount(0))),
    ]

    private static let lambda: [NamedDeploymentConfig] =
        [5, 10, 15, 30].map { config("LambdaCanary10Percent\($0)Minutes", .lambda, canary(minutes: $0)) }
        + [(1, "Minute"), (2, "Minutes"), (3, "Minutes"), (10, "Minutes")].map {
            config("LambdaLinear10PercentEvery\($0.0)\($0.1)", .lambda, linear(minutes: $0.0))
        }
        + [config("LambdaAllAtOnce", .lambda, .traffic(.allAtOnce))]

    private static let ecs: [NamedDeploymentConfig] =
        [5, 15].map { config("ECSCanary10Percent\($0)Minutes", .ecs, canary(minutes: $0)) }
        + [1, 3].map { config("ECSLinear10PercentEvery\($0)Minutes", .ecs, linear(minutes: $0)) }
        + [config("ECSAllAtOnce", .ecs, .traffic(.allAtOnce))]

    private static func config(_ suffix: String, _ platform: ComputePlatform,
                               _ config: DeploymentConfig) -> NamedDeploymentConfig {
        NamedDeploymentConfig(name: NamedDeploymentConfig.reservedPrefix + suffix, platform: platform, config: config)
    }

    private static func canary(minutes: Int) -> DeploymentConfig {
        .traffic(.canary(percent: 10, interval: .seconds(minutes * 60)))
    }

    private static func linear(minutes: Int) -> DeploymentConfig {
        .traffic(.linear(percent: 10, interval: .seconds(minutes * 60)))
    }
}
