import SlipwayEvents

/// What happened to one host in a deployment.
public struct HostOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case succeeded, failed, skipped
    }

    public var host: String
    public var status: Status
    public var message: String

    public init(host: String, status: Status, message: String) {
        self.host = host
        self.status = status
        self.message = message
    }
}

public struct RolloutResult: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case succeeded, failed, rolledBack, stopped
    }

    public var status: Status
    public var message: String
    public var hosts: [HostOutcome]
}

/// Records progress so a deployment can be resumed after its runner died. The engine calls it
/// after every step that changed the target.
public protocol RolloutRecorder: Sendable {
    func hostFinished(_ outcome: HostOutcome) async
    func weightSet(_ percent: Int) async
    func phase(_ name: String) async
}

/// An in-place rollout over a fleet, with CodeDeploy's rules: hosts ordered unhealthy → unknown
/// revision → old revision → current; batches sized so healthy hosts never drop below the
/// minimum; the run stops once they would; success needs `requiredSuccesses` hosts.
public struct FleetRollout: Sendable {
    public var stage: String
    public var minimum: MinimumHealthyHosts
    public var primitives: any FleetPrimitives
    public var revision: RevisionRef
    /// The stage's last successful revision: what ApplicationStop runs from, and what an
    /// automatic rollback redeploys.
    public var previous: RevisionRef?
    public var gates: GateMonitor?
    public var sink: any EventSink
    public var recorder: any RolloutRecorder
    public var isCancelled: @Sendable () -> Bool
    /// Hosts a resumed deployment already finished (from its journal): not deployed again.
    public var alreadyFinished: [HostOutcome]

    public init(stage: String, minimum: MinimumHealthyHosts, primitives: any FleetPrimitives, revision: RevisionRef,
                previous: RevisionRef?, gates: GateMonitor?, sink: any EventSink, recorder: any RolloutRecorder,
                isCancelled: @escaping @Sendable () -> Bool, alreadyFinished: [HostOutcome] = []) {
        self.stage = stage
        self.minimum = minimum
        self.primitives = primitives
        self.revision = revision
        self.previous = previous
        self.gates = gates
        self.sink = sink
        self.recorder = recorder
        self.isCancelled = isCancelled
        self.alreadyFinished = alreadyFinished
    }

    var scope: String { "stage/\(stage)" }

    /// CodeDeploy's scheduling order, stable within each class.
    public static func ordered(_ hosts: [FleetHost], revision: String) -> [FleetHost] {
        func rank(_ host: FleetHost) -> Int {
            if !host.healthy { return 0 }
            guard let current = host.revision else { return 1 }
            return current == revision ? 3 : 2
        }
        return hosts.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    public func run(hosts discovered: [FleetHost]) async -> RolloutResult {
        let plan: FleetPlan
        do {
            plan = try FleetPlan.make(minimum, hostCount: discovered.count)
        } catch {
            return RolloutResult(status: .failed, message: error.description, hosts: [])
        }
        var outcomes = alreadyFinished
        let done = Set(alreadyFinished.map(\.host))
        var healthy = discovered.filter(\.healthy).count - alreadyFinished.filter { $0.status == .failed }.count
        var queue = Self.ordered(discovered, revision: revision.sha256).filter { !done.contains($0.id) }
        var batchNumber = 0
        sink.emit(.info("deploying \(revision.sha256.prefix(12)) to \(discovered.count) host\(discovered.count == 1 ? "" : "s"): " +
                        "batches of up to \(plan.batchSize), ≥ \(plan.minimumHealthy) must stay healthy", scope: scope))

        while !queue.isEmpty {
            if isCancelled() {
                return RolloutResult(status: .stopped, message: "stopped on request", hosts: outcomes)
            }
            let size = plan.nextBatchSize(healthy: healthy, remaining: queue.count)
            guard size > 0, !plan.shouldStop(healthy: healthy) else {
                let message = "stopped: \(healthy) healthy host\(healthy == 1 ? "" : "s") left, the minimum is \(plan.minimumHealthy); \(queue.count) not deployed"
                return RolloutResult(status: .failed, message: message, hosts: outcomes + queue.map {
                    HostOutcome(host: $0.id, status: .skipped, message: "not deployed: the deployment stopped")
                })
            }
            batchNumber += 1
            let batch = Array(queue.prefix(size))
            queue.removeFirst(size)
            sink.emit(.stageProgress(scope: scope, message: "batch \(batchNumber): \(batch.map(\.id).joined(separator: ", "))"))
            let results = await deploy(batch)
            for outcome in results {
                outcomes.append(outcome)
                await recorder.hostFinished(outcome)
                if outcome.status == .failed { healthy -= 1 }
            }
            if let gates {
                do {
                    try await gates.probeDue()
                } catch {
                    return RolloutResult(status: .failed, message: error.description, hosts: outcomes)
                }
            }
        }
        let successes = outcomes.filter { $0.status == .succeeded }.count
        if plan.succeeded(successes: successes) {
            return RolloutResult(status: .succeeded, message: "\(successes) of \(discovered.count) hosts succeeded", hosts: outcomes)
        }
        return RolloutResult(status: .failed, message: "only \(successes) of \(discovered.count) hosts succeeded; \(plan.requiredSuccesses) needed",
                             hosts: outcomes)
    }

    /// One batch, all hosts at once: block traffic, deploy, allow traffic.
    func deploy(_ batch: [FleetHost]) async -> [HostOutcome] {
        await withTaskGroup(of: (Int, HostOutcome).self) { group in
            for (index, host) in batch.enumerated() {
                group.addTask { (index, await deployOne(host)) }
            }
            var results: [(Int, HostOutcome)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func deployOne(_ host: FleetHost, revision target: RevisionRef? = nil, previous: RevisionRef? = nil) async -> HostOutcome {
        let target = target ?? revision
        let hostScope = "host/\(host.id)"
        let started = ContinuousClock.now
        sink.emit(.stepStarted(scope: hostScope, message: "deploying \(target.sha256.prefix(12))"))
        do {
            if primitives.controlsTraffic { try await primitives.blockTraffic(host) }
            try await primitives.deployHost(host, revision: target, previous: previous ?? self.previous)
            if primitives.controlsTraffic { try await primitives.allowTraffic(host) }
            sink.emit(.stepFinished(scope: hostScope, status: .succeeded, duration: seconds(since: started), message: "deployed"))
            return HostOutcome(host: host.id, status: .succeeded, message: "deployed \(target.sha256.prefix(12))")
        } catch {
            sink.emit(.stepFinished(scope: hostScope, status: error.isCancellation ? .cancelled : .failed,
                                    duration: seconds(since: started), message: error.message))
            return HostOutcome(host: host.id, status: .failed, message: error.message)
        }
    }

    /// Automatic rollback: redeploys the last successful revision to the hosts this deployment
    /// changed (those it attempted), one batch at a time with the same minimum.
    public func rollBack(_ result: RolloutResult, hosts discovered: [FleetHost]) async -> RolloutResult {
        guard let previous else {
            sink.emit(.warning("no earlier successful revision of \(stage) to roll back to", scope: scope))
            return result
        }
        let changed = Set(result.hosts.filter { $0.status != .skipped }.map(\.host))
        let targets = discovered.filter { changed.contains($0.id) }
        guard !targets.isEmpty else { return result }
        await recorder.phase("rollbackStarted")
        sink.emit(.stageProgress(scope: scope, message: "rolling back \(targets.count) host\(targets.count == 1 ? "" : "s") to \(previous.sha256.prefix(12))"))
        var failures: [String] = []
        for host in targets {
            // ApplicationStop runs the failed revision's scripts: it is what the host has now.
            let outcome = await deployOne(host, revision: previous, previous: revision)
            if outcome.status != .succeeded { failures.append("\(host.id): \(outcome.message)") }
        }
        if failures.isEmpty {
            return RolloutResult(status: .rolledBack, message: "\(result.message); rolled back to \(previous.sha256.prefix(12))", hosts: result.hosts)
        }
        return RolloutResult(status: .failed, message: "\(result.message); rollback failed on \(failures.joined(separator: "; "))", hosts: result.hosts)
    }
}
