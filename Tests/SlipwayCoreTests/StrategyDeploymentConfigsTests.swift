import Testing
import SlipwayCore

@Suite("DeploymentConfigs")
struct StrategyDeploymentConfigsTests {
    /// Every predefined name as AWS spells it, in table order, with its platform and config.
    static let expected: [(String, ComputePlatform, DeploymentConfig)] = [
        ("CodeDeployDefault.OneAtATime", .server, .fleet(.allButOne)),
        ("CodeDeployDefault.HalfAtATime", .server, .fleet(.fleetPercent(50))),
        ("CodeDeployDefault.AllAtOnce", .server, .fleet(.hostCount(0))),
        ("CodeDeployDefault.LambdaCanary10Percent5Minutes", .lambda, .traffic(.canary(percent: 10, interval: .seconds(300)))),
        ("CodeDeployDefault.LambdaCanary10Percent10Minutes", .lambda, .traffic(.canary(percent: 10, interval: .seconds(600)))),
        ("CodeDeployDefault.LambdaCanary10Percent15Minutes", .lambda, .traffic(.canary(percent: 10, interval: .seconds(900)))),
        ("CodeDeployDefault.LambdaCanary10Percent30Minutes", .lambda, .traffic(.canary(percent: 10, interval: .seconds(1800)))),
        ("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", .lambda, .traffic(.linear(percent: 10, interval: .seconds(60)))),
        ("CodeDeployDefault.LambdaLinear10PercentEvery2Minutes", .lambda, .traffic(.linear(percent: 10, interval: .seconds(120)))),
        ("CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", .lambda, .traffic(.linear(percent: 10, interval: .seconds(180)))),
        ("CodeDeployDefault.LambdaLinear10PercentEvery10Minutes", .lambda, .traffic(.linear(percent: 10, interval: .seconds(600)))),
        ("CodeDeployDefault.LambdaAllAtOnce", .lambda, .traffic(.allAtOnce)),
        ("CodeDeployDefault.ECSCanary10Percent5Minutes", .ecs, .traffic(.canary(percent: 10, interval: .seconds(300)))),
        ("CodeDeployDefault.ECSCanary10Percent15Minutes", .ecs, .traffic(.canary(percent: 10, interval: .seconds(900)))),
        ("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", .ecs, .traffic(.linear(percent: 10, interval: .seconds(60)))),
        ("CodeDeployDefault.ECSLinear10PercentEvery3Minutes", .ecs, .traffic(.linear(percent: 10, interval: .seconds(180)))),
        ("CodeDeployDefault.ECSAllAtOnce", .ecs, .traffic(.allAtOnce)),
    ]

    @Test("the table holds exactly AWS's predefined configurations")
    func table() {
        #expect(DeploymentConfigs.names == Self.expected.map(\.0))
        #expect(DeploymentConfigs.predefined == Self.expected.map {
            NamedDeploymentConfig(name: $0.0, platform: $0.1, config: $0.2)
        })
        #expect(Set(DeploymentConfigs.names).count == DeploymentConfigs.names.count)
    }

    @Test("lookup by exact name", arguments: expected.map(\.0))
    func lookup(name: String) throws {
        let config = try #require(DeploymentConfigs.named(name))
        #expect(config.name == name)
        #expect(config.validate() == [])
    }

    @Test("lookup is exact", arguments: [
        "OneAtATime", "codedeploydefault.oneatatime", "CodeDeployDefault.ECSLinear10PercentEvery1Minute",
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minutes", "", "CodeDeployDefault.OneAtATime ",
    ])
    func lookupIsExact(name: String) {
        #expect(DeploymentConfigs.named(name) == nil)
    }

    @Test("the Server default is OneAtATime")
    func serverDefault() {
        #expect(DeploymentConfigs.named(DeploymentConfigs.defaultServerName)?.config == .fleet(.allButOne))
    }
}
