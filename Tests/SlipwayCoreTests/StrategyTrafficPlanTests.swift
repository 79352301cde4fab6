import Testing
import SlipwayCore

@Suite("TrafficPlan")
struct StrategyTrafficPlanTests {
    static func minutes(_ m: Int) -> Duration { .seconds(m * 60) }

    /// Steps as (percent, bake) pairs, to keep expectations readable.
    static func steps(_ pairs: [(Int, Duration)]) -> [TrafficStep] {
        pairs.map { TrafficStep(percent: $0.0, bake: $0.1) }
    }

    static func linearSchedule(every bake: Duration) -> [TrafficStep] {
        steps([(10, bake), (20, bake), (30, bake), (40, bake), (50, bake),
               (60, bake), (70, bake), (80, bake), (90, bake), (100, .zero)])
    }

    struct Schedule: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [TrafficStep]
        var total: Duration
        var testDescription: String { name }
    }

    static let predefinedSchedules: [Schedule] = [
        .init(name: "CodeDeployDefault.LambdaCanary10Percent5Minutes", steps: steps([(10, minutes(5)), (100, .zero)]), total: minutes(5)),
        .init(name: "CodeDeployDefault.LambdaCanary10Percent10Minutes", steps: steps([(10, minutes(10)), (100, .zero)]), total: minutes(10)),
        .init(name: "CodeDeployDefault.LambdaCanary10Percent15Minutes", steps: steps([(10, minutes(15)), (100, .zero)]), total: minutes(15)),
        .init(name: "CodeDeployDefault.LambdaCanary10Percent30Minutes", steps: steps([(10, minutes(30)), (100, .zero)]), total: minutes(30)),
        .init(name: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", steps: linearSchedule(every: minutes(1)), total: minutes(9)),
        .init(name: "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes", steps: linearSchedule(every: minutes(2)), total: minutes(18)),
        .init(name: "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", steps: linearSchedule(every: minutes(3)), total: minutes(27)),
        .init(name: "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes", steps: linearSchedule(every: minutes(10)), total: minutes(90)),
        .init(name: "CodeDeployDefault.LambdaAllAtOnce", steps: steps([(100, .zero)]), total: .zero),
        .init(name: "CodeDeployDefault.ECSCanary10Percent5Minutes", steps: steps([(10, minutes(5)), (100, .zero)]), total: minutes(5)),
        .init(name: "CodeDeployDefault.ECSCanary10Percent15Minutes", steps: steps([(10, minutes(15)), (100, .zero)]), total: minutes(15)),
        .init(name: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes", steps: linearSchedule(every: minutes(1)), total: minutes(9)),
        .init(name: "CodeDeployDefault.ECSLinear10PercentEvery3Minutes", steps: linearSchedule(every: minutes(3)), total: minutes(27)),
        .init(name: "CodeDeployDefault.ECSAllAtOnce", steps: steps([(100, .zero)]), total: .zero),
    ]

    @Test("predefined Lambda and ECS schedules", arguments: predefinedSchedules)
    func predefined(schedule: Schedule) throws {
        let named = try #require(DeploymentConfigs.named(schedule.name))
        guard case .traffic(let shift) = named.config else {
            Issue.record("\(schedule.name) is not a traffic config")
            return
        }
        let plan = TrafficPlan.make(shift)
        #expect(plan.steps == schedule.steps)
        #expect(plan.totalBake == schedule.total)
    }

    @Test("custom shifts with second intervals", arguments: [
        (TrafficShift.canary(percent: 25, interval: .seconds(30)), steps([(25, .seconds(30)), (100, .zero)]), Duration.seconds(30)),
        (.linear(percent: 30, interval: .seconds(45)),
         steps([(30, .seconds(45)), (60, .seconds(45)), (90, .seconds(45)), (100, .zero)]), .seconds(135)),
        (.linear(percent: 33, interval: .seconds(1)),
         steps([(33, .seconds(1)), (66, .seconds(1)), (99, .seconds(1)), (100, .zero)]), .seconds(3)),
        (.linear(percent: 50, interval: .milliseconds(500)), steps([(50, .milliseconds(500)), (100, .zero)]), .milliseconds(500)),
        (.linear(percent: 99, interval: .seconds(2)), steps([(99, .seconds(2)), (100, .zero)]), .seconds(2)),
        (.linear(percent: 1, interval: .seconds(1)),
         (1...99).map { TrafficStep(percent: $0, bake: .seconds(1)) } + steps([(100, .zero)]), .seconds(99)),
        (.allAtOnce, steps([(100, .zero)]), .zero),
    ])
    func custom(shift: TrafficShift, expected: [TrafficStep], total: Duration) {
        let plan = TrafficPlan.make(shift)
        #expect(plan.steps == expected)
        #expect(plan.totalBake == total)
    }

    @Test("explicit steps get a final 100% unless they already end there")
    func explicitSteps() {
        let open = TrafficPlan.make(.steps(Self.steps([(10, .seconds(5)), (50, .seconds(10))])))
        #expect(open.steps == Self.steps([(10, .seconds(5)), (50, .seconds(10)), (100, .zero)]))
        #expect(open.totalBake == .seconds(15))

        let closed = TrafficPlan.make(.steps(Self.steps([(20, .seconds(3)), (100, .zero)])))
        #expect(closed.steps == Self.steps([(20, .seconds(3)), (100, .zero)]))

        let immediate = TrafficPlan.make(.steps(Self.steps([(100, .zero)])))
        #expect(immediate.steps == Self.steps([(100, .zero)]))
    }

    @Test("unvalidated input is clamped rather than trapping or looping")
    func clampsInvalidInput() {
        #expect(TrafficPlan.make(.linear(percent: 0, interval: .seconds(1))).steps.count == 100)
        #expect(TrafficPlan.make(.linear(percent: -10, interval: .seconds(1))).steps.count == 100)
        #expect(TrafficPlan.make(.canary(percent: 150, interval: .seconds(1))).steps == Self.steps([(100, .zero)]))
        #expect(TrafficPlan.make(.canary(percent: 10, interval: .seconds(-5))).steps == Self.steps([(10, .zero), (100, .zero)]))
        #expect(TrafficPlan.make(.steps([])).steps == Self.steps([(100, .zero)]))
        #expect(TrafficPlan.make(.steps(Self.steps([(50, .seconds(1)), (20, .seconds(1)), (100, .seconds(9))]))).steps
                == Self.steps([(50, .seconds(1)), (100, .zero)]))
    }

    @Test("describe", arguments: [
        (TrafficShift.allAtOnce, "100% at once"),
        (.canary(percent: 10, interval: .seconds(300)), "10% for 5m, then 100%"),
        (.canary(percent: 25, interval: .seconds(90)), "25% for 1m30s, then 100%"),
        (.linear(percent: 10, interval: .seconds(60)), "10% → 20% → … → 90% every 1m, then 100% (10 steps, 9m total)"),
        (.linear(percent: 30, interval: .seconds(60)), "30% for 1m, 60% for 1m, 90% for 1m, then 100% (3m total)"),
        (.linear(percent: 20, interval: .seconds(30)), "20% → 40% → … → 80% every 30s, then 100% (5 steps, 2m total)"),
        (.steps([TrafficStep(percent: 5, bake: .seconds(10)), TrafficStep(percent: 50, bake: .seconds(20))]),
         "5% for 10s, 50% for 20s, then 100% (30s total)"),
        (.steps([1, 2, 5, 50, 80].map { TrafficStep(percent: $0, bake: .seconds($0 == 80 ? 600 : 60)) }),
         "1% for 1m, 2% for 1m, …, 80% for 10m, then 100% (6 steps, 14m total)"),
    ])
    func describe(shift: TrafficShift, expected: String) {
        #expect(TrafficPlan.make(shift).describe() == expected)
    }
}
