import SlipwayEvents

/// A traffic-shifting rollout in CodeDeploy's ECS/Lambda order: BeforeInstall hooks, create the
/// candidate, AfterInstall hooks, route test traffic to it (targets with a test route),
/// AfterAllowTestTraffic hooks, BeforeAllowTraffic hooks, move weight to it step by step while
/// the gates watch each bake, promote it, AfterAllowTraffic hooks, clean up.
/// Hooks run only for events the stage configures.
/// Any failure — a hook, a gate, a primitive, a stop request — aborts: traffic goes back to the
/// original and the candidate is removed.
public struct TrafficRollout: Sendable {
    public var stage: String
    public var plan: TrafficPlan
    public var primitives: any TrafficPrimitives
    public var revision: RevisionRef
    public var hooks: [String: [String]]
    public var gates: GateMonitor?
    public var sink: any EventSink
    public var recorder: any RolloutRecorder
    public var isCancelled: @Sendable () -> Bool

    /// Where a resumed deployment picks up (from its journal).
    public struct Resume: Sendable, Equatable {
        public var prepared: Bool
        /// AfterInstall, AllowTestTraffic and AfterAllowTestTraffic are done.
        public var testTrafficAllowed: Bool
        public var lastWeight: Int?
        public var promoted: Bool

        public init(prepared: Bool = false, testTrafficAllowed: Bool = false, lastWeight: Int? = nil, promoted: Bool = false) {
            self.prepared = prepared
            self.testTrafficAllowed = testTrafficAllowed
            self.lastWeight = lastWeight
            self.promoted = promoted
        }
    }

    public init(stage: String, plan: TrafficPlan, primitives: any TrafficPrimitives, revision: RevisionRef,
                hooks: [String: [String]], gates: GateMonitor?, sink: any EventSink, recorder: any RolloutRecorder,
                isCancelled: @escaping @Sendable () -> Bool) {
        self.stage = stage
        self.plan = plan
        self.primitives = primitives
        self.revision = revision
        self.hooks = hooks
        self.gates = gates
        self.sink = sink
        self.recorder = recorder
        self.isCancelled = isCancelled
    }

    var scope: String { "stage/\(stage)" }

    public struct Stop: Error {
        public var message: String
        public var stopped: Bool

        public init(message: String, stopped: Bool) {
            self.message = message
            self.stopped = stopped
        }
    }

    public func run(resume: Resume = Resume()) async -> RolloutResult {
        do {
            if !resume.prepared {
                try await hook("BeforeInstall")
                let candidate = try await step("prepare") { () throws(PrimitiveError) in try await primitives.prepare(revision) }
                sink.emit(.info("candidate: \(candidate)", scope: scope))
                await recorder.phase("prepared")
            }
            if !resume.promoted, resume.lastWeight == nil, !resume.testTrafficAllowed {
                try await testTraffic()
            }
            if !resume.promoted {
                if resume.lastWeight == nil { try await hook("BeforeAllowTraffic") }
                for (index, step) in plan.steps.enumerated() {
                    if let done = resume.lastWeight, step.percent < done { continue }
                    try checkCancelled()
                    try await self.step("set weight \(step.percent)%") { () throws(PrimitiveError) in try await primitives.setWeight(step.percent) }
                    await recorder.weightSet(step.percent)
                    if step.bake > .zero {
                        try await bake(step, number: index + 1)
                    }
                }
                try await self.step("promote") { () throws(PrimitiveError) in try await primitives.promote() }
                await recorder.phase("promoted")
            }
            try await hook("AfterAllowTraffic")
            try await self.step("clean up") { () throws(PrimitiveError) in try await primitives.cleanup() }
            return RolloutResult(status: .succeeded, message: "all traffic on \(revision.sha256.prefix(12))", hosts: [])
        } catch {
            return await abort(because: error)
        }
    }

    /// Between install and production traffic: AfterInstall hooks, the test route to the
    /// candidate, AfterAllowTestTraffic hooks. Journaled as one phase when any of it ran, so a
    /// resumed deployment does not repeat it.
    func testTraffic() async throws(Stop) {
        let events = ["AfterInstall", "AfterAllowTestTraffic"]
        let anything = primitives.supportsTestTraffic || events.contains { !(hooks[$0] ?? []).isEmpty }
        guard anything else { return }
        try await hook("AfterInstall")
        if primitives.supportsTestTraffic {
            try checkCancelled()
            try await step("allow test traffic") { () throws(PrimitiveError) in try await primitives.allowTestTraffic() }
        }
        try await hook("AfterAllowTestTraffic")
        await recorder.phase("testTrafficAllowed")
    }

    public func abort(because stop: Stop) async -> RolloutResult {
        sink.emit(.error("\(stop.message): sending all traffic back to the original version", scope: scope))
        await recorder.phase("rollbackStarted")
        do {
            try await primitives.abort()
        } catch {
            return RolloutResult(status: .failed, message: "\(stop.message); abort failed: \(error.message)", hosts: [])
        }
        return RolloutResult(status: stop.stopped ? .stopped : .rolledBack, message: "\(stop.message); rolled back", hosts: [])
    }

    func checkCancelled() throws(Stop) {
        if isCancelled() { throw Stop(message: "stopped on request", stopped: true) }
    }

    func step<T>(_ name: String, _ body: () async throws(PrimitiveError) -> T) async throws(Stop) -> T {
        sink.emit(.stageProgress(scope: scope, message: name))
        do {
            return try await body()
        } catch {
            throw Stop(message: "\(name) failed: \(error.message)", stopped: error.isCancellation)
        }
    }

    func hook(_ event: String) async throws(Stop) {
        guard let names = hooks[event], !names.isEmpty else { return }
        guard primitives.supportsHooks else {
            throw Stop(message: "\(event) hooks are configured but this target's plugin cannot run hooks", stopped: false)
        }
        try await step("\(event) hook \(names.joined(separator: ", "))") { () throws(PrimitiveError) in
            try await primitives.runHook(event, hooks: names)
        }
    }

    func bake(_ step: TrafficStep, number: Int) async throws(Stop) {
        guard let gates else {
            try await sleep(step.bake, percent: step.percent)
            return
        }
        let percent = step.percent
        let sink = self.sink, scope = self.scope
        do {
            let finished = try await gates.bake(for: step.bake, isCancelled: isCancelled) { remaining, summary in
                sink.emit(.stageProgress(scope: scope, message: "baking \(percent)% for \(DurationText.format(rounded(remaining))) more; \(summary)"))
            }
            if !finished { throw Stop(message: "stopped on request", stopped: true) }
        } catch let failure as GateMonitor.Failure {
            throw Stop(message: failure.description, stopped: false)
        } catch let stop as Stop {
            throw stop
        } catch {
            throw Stop(message: "\(error)", stopped: false)
        }
    }

    func sleep(_ duration: Duration, percent: Int) async throws(Stop) {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            try checkCancelled()
            sink.emit(.stageProgress(scope: scope, message: "baking \(percent)% for \(DurationText.format(rounded(end - ContinuousClock.now))) more"))
            try? await Task.sleep(until: min(end, ContinuousClock.now + .seconds(1)), clock: .continuous)
        }
    }
}

/// Whole seconds, for progress lines.
func rounded(_ duration: Duration) -> Duration {
    .seconds(max(0, duration.components.seconds))
}
