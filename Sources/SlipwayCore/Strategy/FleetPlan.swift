/// The batches of an in-place (fleet) rollout and the rules that decide when it stops and
/// whether it succeeded, following CodeDeploy's minimum-healthy-hosts semantics.
///
/// "Healthy" counts hosts that have not failed: hosts still waiting for the new revision and
/// hosts that took it successfully. Hosts being deployed to are out of service, which is why a
/// batch may hold only as many hosts as can be spared above the minimum.
public struct FleetPlan: Sendable, Equatable {
    public let minimum: MinimumHealthyHosts
    public let hostCount: Int
    /// The minimum in hosts; FLEET_PERCENT rounds up.
    public let minimumHealthy: Int
    /// Most hosts deployed at once: as many as possible without healthy dropping below the
    /// minimum. Always at least 1.
    public let batchSize: Int
    /// Sizes of successive batches covering every host, assuming every host succeeds.
    public let batches: [Int]
    /// Successful hosts needed for the deployment to succeed.
    public let requiredSuccesses: Int

    public static func make(_ minimum: MinimumHealthyHosts, hostCount: Int) throws(FleetPlanError) -> FleetPlan {
        guard hostCount > 0 else { throw .noHosts(hostCount: hostCount) }
        let problems = minimum.validate()
        guard problems.isEmpty else { throw .invalidMinimum(minimum, problems: problems) }

        let minimumHealthy = minimum.hosts(outOf: hostCount)
        // CodeDeploy fails at once when it could not take even one host out of service.
        guard hostCount > minimumHealthy else {
            throw .noHostCanBeTakenOutOfService(hostCount: hostCount, minimum: minimum, minimumHealthy: minimumHealthy)
        }
        let batchSize = hostCount - minimumHealthy
        let fullBatches = Array(repeating: batchSize, count: hostCount / batchSize)
        let remainder = hostCount % batchSize
        return FleetPlan(
            minimum: minimum,
            hostCount: hostCount,
            minimumHealthy: minimumHealthy,
            batchSize: batchSize,
            batches: remainder == 0 ? fullBatches : fullBatches + [remainder],
            // Success means the minimum ended up on the new revision. That is why OneAtATime
            // (minimum n-1) survives a failure of its last host but not of an earlier one (the
            // run stops first), why a single host must succeed, and why even a minimum of 0
            // needs one success: a deployment that changed nothing did not succeed.
            requiredSuccesses: max(minimumHealthy, 1)
        )
    }

    /// True when the run must stop instead of starting another batch: healthy hosts have
    /// fallen to the minimum, so taking any more out of service would break it. Checked before
    /// each batch (including the first); when no hosts remain the run simply ends and
    /// `succeeded(successes:)` decides.
    public func shouldStop(healthy: Int) -> Bool {
        healthy <= minimumHealthy
    }

    /// How many of the `remaining` hosts to deploy next given `healthy` hosts now. Failures
    /// shrink later batches below `batchSize`; 0 means stop (see `shouldStop(healthy:)`).
    public func nextBatchSize(healthy: Int, remaining: Int) -> Int {
        max(0, min(remaining, batchSize, healthy - minimumHealthy))
    }

    /// Whether a finished (or stopped) run with `successes` successful hosts succeeded.
    public func succeeded(successes: Int) -> Bool {
        successes >= requiredSuccesses
    }

    /// Human lines for plans: one per batch (runs of equal batches folded together when there
    /// are more than four), the healthy floor on the first line, then the success rule.
    public func describe() -> [String] {
        var lines = Self.batchLines(batches)
        lines[0] += minimumHealthy == 0
            ? "; no host needs to stay healthy"
            : "; ≥ \(minimumHealthy) of \(hostCount) hosts must stay healthy"
        lines.append(hostCount == 1
            ? "succeeds when the only host succeeds"
            : "succeeds when ≥ \(requiredSuccesses) of \(hostCount) hosts succeed")
        return lines
    }

    /// The same lines for a fleet of `hostCount` hosts: this plan's when the count matches,
    /// otherwise those of the plan the same minimum gives for that count (or why there is none).
    public func describe(hostCount: Int) -> [String] {
        if hostCount == self.hostCount { return describe() }
        do {
            return try FleetPlan.make(minimum, hostCount: hostCount).describe()
        } catch {
            return [error.description]
        }
    }

    private static func batchLines(_ batches: [Int]) -> [String] {
        if batches.count <= 4 {
            return batches.enumerated().map { "batch \($0.offset + 1): \(FleetWording.hosts($0.element))" }
        }
        var lines: [String] = []
        var start = 0
        while start < batches.count {
            var end = start
            while end + 1 < batches.count, batches[end + 1] == batches[start] { end += 1 }
            lines.append(start == end
                ? "batch \(start + 1): \(FleetWording.hosts(batches[start]))"
                : "batches \(start + 1)–\(end + 1): \(FleetWording.hosts(batches[start])) each")
            start = end + 1
        }
        return lines
    }
}
