/// What `slipway run` would do, as plain lines: the text of `slipway plan`.
public struct PlanDescription {
    public var pipeline: Pipeline
    /// Host count to expand fleet strategies for when a stage doesn't list its hosts.
    public var hostCount: Int?

    public init(pipeline: Pipeline, hostCount: Int? = nil) {
        self.pipeline = pipeline
        self.hostCount = hostCount
    }

    public func lines() -> [String] {
        var lines = ["Pipeline \(pipeline.name) (\(pipeline.file))"]
        lines.append("")
        if pipeline.build.isEmpty {
            lines.append("Build: no steps")
        } else {
            lines.append("Build:")
            for (index, step) in pipeline.build.enumerated() {
                var details = ["in \(relative(step.dir ?? pipeline.root))"]
                if let timeout = step.timeout { details.append("timeout \(DurationText.format(timeout))") }
                if !step.env.isEmpty { details.append("env \(step.env.keys.sorted().joined(separator: ", "))") }
                lines.append("  \(index + 1). \(step.name) (\(details.joined(separator: "; ")))")
                for commandLine in step.run.split(separator: "\n", omittingEmptySubsequences: true) {
                    lines.append("       $ \(commandLine)")
                }
            }
        }
        let revision = pipeline.revision
        var packaging = "Package: \(revision.format.rawValue) of \(relative(revision.source))"
        if !revision.include.isEmpty { packaging += ", include \(revision.include.joined(separator: " "))" }
        if !revision.exclude.isEmpty { packaging += ", exclude \(revision.exclude.joined(separator: " "))" }
        lines.append(packaging + ", named by its SHA-256")
        var store = "Store: \(pipeline.store.url)"
        if let region = pipeline.store.region { store += " (region \(region))" }
        if let endpoint = pipeline.store.endpoint { store += " via \(endpoint)" }
        lines.append(store)
        lines.append("")
        guard !pipeline.stages.isEmpty else {
            lines.append("Stages: none")
            return lines
        }
        lines.append("Stages:")
        for (index, stage) in StageOrder.sorted(pipeline.stages).enumerated() {
            lines.append(contentsOf: describe(stage, number: index + 1))
        }
        return lines
    }

    func describe(_ stage: Stage, number: Int) -> [String] {
        var head = "  \(number). \(stage.name) (\(stage.type))"
        if !stage.needs.isEmpty { head += ", after \(stage.needs.joined(separator: ", "))" }
        var lines = [head]
        let indent = "       "
        switch stage.strategy {
        case nil:
            lines.append(indent + "strategy: the target type's default")
        case let strategy?:
            lines.append(indent + "strategy: \(strategy.name ?? "custom")")
            switch strategy.config {
            case .fleet(let minimum):
                let hosts = stage.with["hosts"]?.arrayValue?.count ?? hostCount
                if let hosts {
                    do {
                        let plan = try FleetPlan.make(minimum, hostCount: hosts)
                        lines += plan.describe(hostCount: hosts).map { indent + $0 }
                    } catch {
                        lines.append(indent + "cannot deploy to \(hosts) hosts: \(error)")
                    }
                } else {
                    lines.append(indent + "batches are sized when the hosts are discovered (plan --hosts N shows them for N hosts)")
                }
            case .traffic(let shift):
                lines.append(indent + "traffic: " + TrafficPlan.make(shift).describe())
            }
        }
        for event in stageHookEvents where stage.hooks[event] != nil {
            lines.append(indent + "hook \(event): \(stage.hooks[event]!.joined(separator: ", "))")
        }
        for gate in stage.gates {
            lines.append(indent + "gate \(gate.name): every \(DurationText.format(gate.interval)), tolerates \(gate.failureBudget) consecutive failure\(gate.failureBudget == 1 ? "" : "s")")
        }
        return lines
    }

    func relative(_ path: String) -> String {
        if path == pipeline.root { return "." }
        return path.hasPrefix(pipeline.root + "/") ? String(path.dropFirst(pipeline.root.count + 1)) : path
    }
}
