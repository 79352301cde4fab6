import Testing
import SlipwayCore

@Suite("FleetPlan")
struct StrategyFleetPlanTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var config: String
        var hosts: Int
        var minimumHealthy: Int
        var batchSize: Int
        var batches: [Int]
        var requiredSuccesses: Int
        var testDescription: String { "\(config) × \(hosts)" }
    }

    static let predefinedPlans: [Expected] = [
        .init(config: "CodeDeployDefault.OneAtATime", hosts: 1, minimumHealthy: 0, batchSize: 1, batches: [1], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.OneAtATime", hosts: 2, minimumHealthy: 1, batchSize: 1, batches: [1, 1], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.OneAtATime", hosts: 3, minimumHealthy: 2, batchSize: 1, batches: [1, 1, 1], requiredSuccesses: 2),
        .init(config: "CodeDeployDefault.OneAtATime", hosts: 9, minimumHealthy: 8, batchSize: 1,
              batches: Array(repeating: 1, count: 9), requiredSuccesses: 8),
        .init(config: "CodeDeployDefault.OneAtATime", hosts: 10, minimumHealthy: 9, batchSize: 1,
              batches: Array(repeating: 1, count: 10), requiredSuccesses: 9),
        .init(config: "CodeDeployDefault.HalfAtATime", hosts: 2, minimumHealthy: 1, batchSize: 1, batches: [1, 1], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.HalfAtATime", hosts: 3, minimumHealthy: 2, batchSize: 1, batches: [1, 1, 1], requiredSuccesses: 2),
        .init(config: "CodeDeployDefault.HalfAtATime", hosts: 9, minimumHealthy: 5, batchSize: 4, batches: [4, 4, 1], requiredSuccesses: 5),
        .init(config: "CodeDeployDefault.HalfAtATime", hosts: 10, minimumHealthy: 5, batchSize: 5, batches: [5, 5], requiredSuccesses: 5),
        .init(config: "CodeDeployDefault.AllAtOnce", hosts: 1, minimumHealthy: 0, batchSize: 1, batches: [1], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.AllAtOnce", hosts: 2, minimumHealthy: 0, batchSize: 2, batches: [2], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.AllAtOnce", hosts: 3, minimumHealthy: 0, batchSize: 3, batches: [3], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.AllAtOnce", hosts: 9, minimumHealthy: 0, batchSize: 9, batches: [9], requiredSuccesses: 1),
        .init(config: "CodeDeployDefault.AllAtOnce", hosts: 10, minimumHealthy: 0, batchSize: 10, batches: [10], requiredSuccesses: 1),
    ]

    @Test("predefined server configs", arguments: predefinedPlans)
    func predefined(expected: Expected) throws {
        let named = try #require(DeploymentConfigs.named(expected.config))
        guard case .fleet(let minimum) = named.config else {
            Issue.record("\(expected.config) is not a fleet config")
            return
        }
        let plan = try FleetPlan.make(minimum, hostCount: expected.hosts)
        #expect(plan.hostCount == expected.hosts)
        #expect(plan.minimumHealthy == expected.minimumHealthy)
        #expect(plan.batchSize == expected.batchSize)
        #expect(plan.batches == expected.batches)
        #expect(plan.requiredSuccesses == expected.requiredSuccesses)
        #expect(plan.batches.reduce(0, +) == expected.hosts)
    }

    @Test("HalfAtATime on a single host fails at once: 50% rounds up to the only host")
    func halfAtATimeSingleHost() {
        #expect(throws: FleetPlanError.noHostCanBeTakenOutOfService(
            hostCount: 1, minimum: .fleetPercent(50), minimumHealthy: 1)) {
            try FleetPlan.make(.fleetPercent(50), hostCount: 1)
        }
    }

    @Test("custom minimums", arguments: [
        (MinimumHealthyHosts.hostCount(8), 10, Expected(config: "HOST_COUNT 8", hosts: 10, minimumHealthy: 8, batchSize: 2,
                                                          batches: [2, 2, 2, 2, 2], requiredSuccesses: 8)),
        (.fleetPercent(75), 10, Expected(config: "FLEET_PERCENT 75", hosts: 10, minimumHealthy: 8, batchSize: 2,
                                         batches: [2, 2, 2, 2, 2], requiredSuccesses: 8)),
        // The two examples of the CodeDeploy API reference (nine instances).
        (.hostCount(6), 9, Expected(config: "HOST_COUNT 6", hosts: 9, minimumHealthy: 6, batchSize: 3,
                                    batches: [3, 3, 3], requiredSuccesses: 6)),
        (.fleetPercent(40), 9, Expected(config: "FLEET_PERCENT 40", hosts: 9, minimumHealthy: 4, batchSize: 5,
                                        batches: [5, 4], requiredSuccesses: 4)),
        (.fleetPercent(90), 10, Expected(config: "FLEET_PERCENT 90", hosts: 10, minimumHealthy: 9, batchSize: 1,
                                         batches: Array(repeating: 1, count: 10), requiredSuccesses: 9)),
        (.fleetPercent(99), 200, Expected(config: "FLEET_PERCENT 99", hosts: 200, minimumHealthy: 198, batchSize: 2,
                                          batches: Array(repeating: 2, count: 100), requiredSuccesses: 198)),
        (.fleetPercent(0), 4, Expected(config: "FLEET_PERCENT 0", hosts: 4, minimumHealthy: 0, batchSize: 4,
                                       batches: [4], requiredSuccesses: 1)),
    ])
    func custom(minimum: MinimumHealthyHosts, hosts: Int, expected: Expected) throws {
        let plan = try FleetPlan.make(minimum, hostCount: hosts)
        #expect(plan.minimumHealthy == expected.minimumHealthy)
        #expect(plan.batchSize == expected.batchSize)
        #expect(plan.batches == expected.batches)
        #expect(plan.requiredSuccesses == expected.requiredSuccesses)
    }

    @Test("10 hosts at 95% cannot start")
    func ninetyFivePercentOfTen() {
        do {
            _ = try FleetPlan.make(.fleetPercent(95), hostCount: 10)
            Issue.record("expected the plan to be refused")
        } catch {
            #expect(error == .noHostCanBeTakenOutOfService(hostCount: 10, minimum: .fleetPercent(95), minimumHealthy: 10))
            #expect(error.description == "10 hosts with minimum 95% healthy (10 hosts): no host can be taken out of service")
        }
    }

    @Test("a HOST_COUNT at or above the fleet size cannot start", arguments: [10, 11])
    func hostCountTooHigh(count: Int) {
        do {
            _ = try FleetPlan.make(.hostCount(count), hostCount: 10)
            Issue.record("expected the plan to be refused")
        } catch {
            #expect(error.description == "10 hosts with minimum \(count) healthy hosts: no host can be taken out of service")
        }
    }

    @Test("an empty fleet is refused", arguments: [0, -3])
    func noHosts(count: Int) {
        do {
            _ = try FleetPlan.make(.allButOne, hostCount: count)
            Issue.record("expected the plan to be refused")
        } catch {
            #expect(error == .noHosts(hostCount: count))
            #expect(error.description == "a fleet deployment needs at least 1 host, got \(count)")
        }
    }

    @Test("an out-of-range minimum is refused", arguments: [
        (MinimumHealthyHosts.hostCount(-1), "HOST_COUNT must be 0 or more, got -1"),
        (.fleetPercent(100), "FLEET_PERCENT must be between 0 and 99, got 100"),
        (.fleetPercent(-5), "FLEET_PERCENT must be between 0 and 99, got -5"),
    ])
    func invalidMinimum(minimum: MinimumHealthyHosts, message: String) {
        do {
            _ = try FleetPlan.make(minimum, hostCount: 10)
            Issue.record("expected the plan to be refused")
        } catch {
            #expect(error == .invalidMinimum(minimum, problems: [message]))
            #expect(error.description == message)
        }
    }

    @Test("describe lists batches, the healthy floor and the success rule")
    func describeHalfAtATime() throws {
        let plan = try FleetPlan.make(.fleetPercent(50), hostCount: 9)
        #expect(plan.describe() == [
            "batch 1: 4 hosts; ≥ 5 of 9 hosts must stay healthy",
            "batch 2: 4 hosts",
            "batch 3: 1 host",
            "succeeds when ≥ 5 of 9 hosts succeed",
        ])
    }

    @Test("describe folds long runs of equal batches")
    func describeFolds() throws {
        #expect(try FleetPlan.make(.allButOne, hostCount: 10).describe() == [
            "batches 1–10: 1 host each; ≥ 9 of 10 hosts must stay healthy",
            "succeeds when ≥ 9 of 10 hosts succeed",
        ])
        #expect(try FleetPlan.make(.fleetPercent(80), hostCount: 11).describe() == [
            "batches 1–5: 2 hosts each; ≥ 9 of 11 hosts must stay healthy",
            "batch 6: 1 host",
            "succeeds when ≥ 9 of 11 hosts succeed",
        ])
    }

    @Test("describe for another fleet size re-plans with the same minimum")
    func describeForHostCount() throws {
        let plan = try FleetPlan.make(.fleetPercent(50), hostCount: 9)
        #expect(plan.describe(hostCount: 9) == plan.describe())
        #expect(plan.describe(hostCount: 10) == [
            "batch 1: 5 hosts; ≥ 5 of 10 hosts must stay healthy",
            "batch 2: 5 hosts",
            "succeeds when ≥ 5 of 10 hosts succeed",
        ])
        #expect(plan.describe(hostCount: 1) == ["1 host with minimum 50% healthy (1 host): no host can be taken out of service"])
    }

    @Test("describe without a healthy floor")
    func describeAllAtOnce() throws {
        #expect(try FleetPlan.make(.hostCount(0), hostCount: 9).describe() == [
            "batch 1: 9 hosts; no host needs to stay healthy",
            "succeeds when ≥ 1 of 9 hosts succeed",
        ])
        #expect(try FleetPlan.make(.allButOne, hostCount: 1).describe() == [
            "batch 1: 1 host; no host needs to stay healthy",
            "succeeds when the only host succeeds",
        ])
    }

    @Test("stop and batch rules around the minimum")
    func stopRules() throws {
        let plan = try FleetPlan.make(.fleetPercent(50), hostCount: 9)
        #expect(plan.shouldStop(healthy: 9) == false)
        #expect(plan.shouldStop(healthy: 6) == false)
        #expect(plan.shouldStop(healthy: 5) == true)
        #expect(plan.shouldStop(healthy: 4) == true)
        #expect(plan.nextBatchSize(healthy: 9, remaining: 9) == 4)
        #expect(plan.nextBatchSize(healthy: 7, remaining: 5) == 2)
        #expect(plan.nextBatchSize(healthy: 9, remaining: 1) == 1)
        #expect(plan.nextBatchSize(healthy: 5, remaining: 5) == 0)
        #expect(plan.nextBatchSize(healthy: 3, remaining: 5) == 0)
        #expect(plan.succeeded(successes: 5))
        #expect(!plan.succeeded(successes: 4))
    }
}

@Suite("MinimumHealthyHosts")
struct StrategyMinimumHealthyHostsTests {
    @Test("converts to hosts, rounding percentages up", arguments: [
        (MinimumHealthyHosts.fleetPercent(95), 10, 10),
        (.fleetPercent(50), 9, 5),
        (.fleetPercent(50), 1, 1),
        (.fleetPercent(1), 1, 1),
        (.fleetPercent(0), 7, 0),
        (.fleetPercent(10), 10, 1),
        (.hostCount(3), 10, 3),
        (.allButOne, 10, 9),
        (.allButOne, 1, 0),
    ])
    func hosts(minimum: MinimumHealthyHosts, fleet: Int, expected: Int) {
        #expect(minimum.hosts(outOf: fleet) == expected)
    }

    @Test("reads in CodeDeploy's vocabulary")
    func description() {
        #expect(MinimumHealthyHosts.hostCount(8).description == "HOST_COUNT 8")
        #expect(MinimumHealthyHosts.fleetPercent(75).description == "FLEET_PERCENT 75")
        #expect(MinimumHealthyHosts.allButOne.description == "all but one")
    }
}
