import Testing
import SlipwayCore

@Suite("Deployment config validation")
struct StrategyValidationTests {
    static func minutes(_ m: Int) -> Duration { .seconds(m * 60) }

    @Test("valid configurations have no problems", arguments: [
        DeploymentConfig.fleet(.hostCount(0)), .fleet(.hostCount(1000)), .fleet(.fleetPercent(0)),
        .fleet(.fleetPercent(99)), .fleet(.allButOne),
        .traffic(.allAtOnce),
        .traffic(.canary(percent: 1, interval: .seconds(1))),
        .traffic(.canary(percent: 99, interval: .milliseconds(1))),
        .traffic(.canary(percent: 10, interval: minutes(2880))),
        .traffic(.linear(percent: 10, interval: minutes(320))),
        .traffic(.steps([TrafficStep(percent: 10, bake: .seconds(5)), TrafficStep(percent: 50, bake: .zero)])),
        .traffic(.steps([TrafficStep(percent: 10, bake: .seconds(5)), TrafficStep(percent: 100, bake: .zero)])),
        .traffic(.steps([TrafficStep(percent: 100, bake: .zero)])),
    ])
    func valid(config: DeploymentConfig) {
        #expect(config.validate() == [])
    }

    @Test("problems are reported in plain words", arguments: [
        (DeploymentConfig.fleet(.hostCount(-1)), ["HOST_COUNT must be 0 or more, got -1"]),
        (.fleet(.fleetPercent(100)), ["FLEET_PERCENT must be between 0 and 99, got 100"]),
        (.fleet(.fleetPercent(-1)), ["FLEET_PERCENT must be between 0 and 99, got -1"]),
        (.traffic(.canary(percent: 0, interval: .seconds(5))), ["canary percent must be between 1 and 99, got 0"]),
        (.traffic(.canary(percent: 100, interval: .zero)), [
            "canary percent must be between 1 and 99, got 100",
            "canary interval must be longer than 0s, got 0s",
        ]),
        (.traffic(.linear(percent: 10, interval: .seconds(-30))), ["linear interval must be longer than 0s, got -30s"]),
        (.traffic(.linear(percent: 120, interval: .seconds(1))), ["linear percent must be between 1 and 99, got 120"]),
        (.traffic(.canary(percent: 10, interval: minutes(2881))),
         ["total shift time 48h1m exceeds the limit of 48h (2880 minutes)"]),
        // 99 increments of 30 minutes: 2970 minutes.
        (.traffic(.linear(percent: 1, interval: minutes(30))),
         ["total shift time 49h30m exceeds the limit of 48h (2880 minutes)"]),
        (.traffic(.linear(percent: 10, interval: minutes(321))),
         ["total shift time 48h9m exceeds the limit of 48h (2880 minutes)"]),
        (.traffic(.steps([])), ["custom steps: at least one step is needed"]),
        (.traffic(.steps([TrafficStep(percent: 50, bake: .seconds(5)), TrafficStep(percent: 40, bake: .seconds(5))])),
         ["custom steps: step 2 (40%) must be greater than step 1 (50%)"]),
        (.traffic(.steps([TrafficStep(percent: 30, bake: .seconds(5)), TrafficStep(percent: 30, bake: .seconds(5))])),
         ["custom steps: step 2 (30%) must be greater than step 1 (30%)"]),
        (.traffic(.steps([TrafficStep(percent: 0, bake: .seconds(5))])),
         ["custom steps: step 1 percent must be between 1 and 100, got 0"]),
        (.traffic(.steps([TrafficStep(percent: 10, bake: .seconds(-1))])),
         ["custom steps: step 1 bake must not be negative, got -1s"]),
        (.traffic(.steps([TrafficStep(percent: 10, bake: .seconds(5)), TrafficStep(percent: 100, bake: .seconds(60))])),
         ["custom steps: the final 100% step cannot bake, got 1m"]),
        (.traffic(.steps([TrafficStep(percent: 10, bake: minutes(2000)), TrafficStep(percent: 20, bake: minutes(1000))])),
         ["total shift time 50h exceeds the limit of 48h (2880 minutes)"]),
    ])
    func problems(config: DeploymentConfig, expected: [String]) {
        #expect(config.validate() == expected)
    }

    @Test("a 100% step before the end is reported")
    func fullBeforeEnd() {
        let problems = DeploymentConfig.traffic(.steps([
            TrafficStep(percent: 100, bake: .zero), TrafficStep(percent: 50, bake: .seconds(1)),
        ])).validate()
        #expect(problems.contains("custom steps: the 100% step must be the last one"))
        #expect(problems.contains("custom steps: step 2 (50%) must be greater than step 1 (100%)"))
    }

    @Test("named configs: reserved prefix and platform fit", arguments: [
        (NamedDeploymentConfig(name: "Fast", platform: .lambda, config: .traffic(.canary(percent: 20, interval: .seconds(30)))), [String]()),
        (NamedDeploymentConfig(name: "Wide", platform: .server, config: .fleet(.fleetPercent(75))), []),
        (NamedDeploymentConfig(name: "CodeDeployDefault.Mine", platform: .server, config: .fleet(.hostCount(1))),
         ["custom deployment config \"CodeDeployDefault.Mine\" must not start with \"CodeDeployDefault.\""]),
        (NamedDeploymentConfig(name: "CodeDeployDefault.AllAtOnce", platform: .server, config: .fleet(.hostCount(1))),
         ["custom deployment config \"CodeDeployDefault.AllAtOnce\" must not start with \"CodeDeployDefault.\""]),
        (NamedDeploymentConfig(name: "", platform: .ecs, config: .traffic(.allAtOnce)), ["a deployment config needs a name"]),
        // Server + traffic is Slipway's blue/green: allowed.
        (NamedDeploymentConfig(name: "Shifty", platform: .server, config: .traffic(.linear(percent: 25, interval: .seconds(10)))), []),
        (NamedDeploymentConfig(name: "Hosts", platform: .ecs, config: .fleet(.hostCount(-2))), [
            "an ECS deployment config needs a traffic shift, not minimum healthy hosts",
            "HOST_COUNT must be 0 or more, got -2",
        ]),
        (NamedDeploymentConfig(name: "Hosts", platform: .lambda, config: .fleet(.allButOne)),
         ["a Lambda deployment config needs a traffic shift, not minimum healthy hosts"]),
    ])
    func named(config: NamedDeploymentConfig, expected: [String]) {
        #expect(config.validate() == expected)
    }
}
