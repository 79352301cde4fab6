import Testing
import SlipwayCore

/// Drives FleetPlan's rules the way the rollout engine does (healthy counted between batches,
/// failed hosts unhealthy) to check the CodeDeploy outcomes of §5 end to end.
@Suite("FleetPlan run rules")
struct StrategyFleetRunTests {
    struct Outcome: Equatable {
        var batches: [Int]
        var stopped: Bool
        var succeeded: Bool
    }

    /// Deploys hosts 0..<hostCount in order; hosts in `failing` fail.
    static func run(_ plan: FleetPlan, failing: Set<Int>) -> Outcome {
        var healthy = plan.hostCount
        var next = 0
        var successes = 0
        var batches: [Int] = []
        var stopped = false
        while next < plan.hostCount {
            if plan.shouldStop(healthy: healthy) {
                stopped = true
                break
            }
            let size = plan.nextBatchSize(healthy: healthy, remaining: plan.hostCount - next)
            for host in next..<(next + size) {
                if failing.contains(host) { healthy -= 1 } else { successes += 1 }
            }
            batches.append(size)
            next += size
        }
        return Outcome(batches: batches, stopped: stopped, succeeded: plan.succeeded(successes: successes))
    }

    @Test("OneAtATime: the last host may fail, an earlier one stops the run")
    func oneAtATime() throws {
        let plan = try FleetPlan.make(.allButOne, hostCount: 10)
        #expect(Self.run(plan, failing: []) == Outcome(batches: Array(repeating: 1, count: 10), stopped: false, succeeded: true))
        #expect(Self.run(plan, failing: [9]) == Outcome(batches: Array(repeating: 1, count: 10), stopped: false, succeeded: true))
        #expect(Self.run(plan, failing: [0]) == Outcome(batches: [1], stopped: true, succeeded: false))
        #expect(Self.run(plan, failing: [4]) == Outcome(batches: [1, 1, 1, 1, 1], stopped: true, succeeded: false))
    }

    @Test("OneAtATime: a single-host group must succeed")
    func oneAtATimeSingleHost() throws {
        let plan = try FleetPlan.make(.allButOne, hostCount: 1)
        #expect(Self.run(plan, failing: []).succeeded)
        #expect(Self.run(plan, failing: [0]) == Outcome(batches: [1], stopped: false, succeeded: false))
    }

    @Test("HalfAtATime on 9 hosts: failures shrink later batches; ≥ 5 successes needed")
    func halfAtATime() throws {
        let plan = try FleetPlan.make(.fleetPercent(50), hostCount: 9)
        #expect(Self.run(plan, failing: []) == Outcome(batches: [4, 4, 1], stopped: false, succeeded: true))
        // Two failures in batch 1 leave 7 healthy: only 2 more may go out of service.
        #expect(Self.run(plan, failing: [0, 1]) == Outcome(batches: [4, 2, 2, 1], stopped: false, succeeded: true))
        // Four failures leave 5 healthy, the minimum: stop.
        #expect(Self.run(plan, failing: [0, 1, 2, 3]) == Outcome(batches: [4], stopped: true, succeeded: false))
        // Three failures leave 6 healthy: one host at a time, and the last may still fail.
        #expect(Self.run(plan, failing: [0, 1, 2, 8]) == Outcome(batches: [4, 1, 1, 1, 1, 1], stopped: false, succeeded: true))
    }

    @Test("AllAtOnce: every host is attempted and one success is enough")
    func allAtOnce() throws {
        let plan = try FleetPlan.make(.hostCount(0), hostCount: 9)
        #expect(Self.run(plan, failing: Set(0..<8)) == Outcome(batches: [9], stopped: false, succeeded: true))
        #expect(Self.run(plan, failing: Set(0..<9)) == Outcome(batches: [9], stopped: false, succeeded: false))
    }
}
