/// One step of a traffic shift: move the candidate to `percent` of traffic, then wait `bake`
/// (during which the runner polls the gates) before the next step.
public struct TrafficStep: Sendable, Equatable, Hashable {
    /// Total weight on the new version after this step, 1...100.
    public var percent: Int
    /// How long to wait after reaching `percent`; zero for the final 100% step.
    public var bake: Duration

    public init(percent: Int, bake: Duration) {
        self.percent = percent
        self.bake = bake
    }
}

/// How traffic moves from the current version to the new one (CodeDeploy's
/// `trafficRoutingConfig`, plus explicit custom steps).
public enum TrafficShift: Sendable, Equatable, Hashable {
    case allAtOnce
    /// `percent` first, then everything after `interval`.
    case canary(percent: Int, interval: Duration)
    /// `percent` more every `interval` until everything is shifted.
    case linear(percent: Int, interval: Duration)
    /// An explicit list. Steps must rise strictly. The list need not end at 100: the runner
    /// appends a final 100% step, because a rollout always ends with all traffic on the new
    /// version (the same convention as Argo Rollouts, and it keeps pipeline files short).
    case steps([TrafficStep])

    /// CodeDeploy's limit on the time from the first shift to the last (2880 minutes = 48h).
    public static let maximumShiftTime: Duration = .seconds(2880 * 60)

    /// Problems with the shift; empty when valid.
    public func validate() -> [String] {
        var problems: [String]
        switch self {
        case .allAtOnce:
            problems = []
        case .canary(let percent, let interval):
            problems = Self.validateIncrement(kind: "canary", percent: percent, interval: interval)
        case .linear(let percent, let interval):
            problems = Self.validateIncrement(kind: "linear", percent: percent, interval: interval)
        case .steps(let steps):
            problems = Self.validateSteps(steps)
        }
        // Only meaningful once the parts are valid: a plan of clamped values would mislead.
        if problems.isEmpty {
            let total = TrafficPlan.make(self).totalBake
            if total > Self.maximumShiftTime {
                problems.append("total shift time \(DurationText.format(total)) exceeds the limit of "
                    + "\(DurationText.format(Self.maximumShiftTime)) (2880 minutes)")
            }
        }
        return problems
    }

    private static func validateIncrement(kind: String, percent: Int, interval: Duration) -> [String] {
        var problems: [String] = []
        if !(1...99).contains(percent) {
            problems.append("\(kind) percent must be between 1 and 99, got \(percent)")
        }
        if interval <= .zero {
            problems.append("\(kind) interval must be longer than 0s, got \(DurationText.format(interval))")
        }
        return problems
    }

    private static func validateSteps(_ steps: [TrafficStep]) -> [String] {
        guard !steps.isEmpty else { return ["custom steps: at least one step is needed"] }
        var problems: [String] = []
        for (offset, step) in steps.enumerated() {
            let number = offset + 1
            if !(1...100).contains(step.percent) {
                problems.append("custom steps: step \(number) percent must be between 1 and 100, got \(step.percent)")
            }
            if step.bake < .zero {
                problems.append("custom steps: step \(number) bake must not be negative, got \(DurationText.format(step.bake))")
            }
            if offset > 0, step.percent <= steps[offset - 1].percent {
                problems.append("custom steps: step \(number) (\(step.percent)%) must be greater than "
                    + "step \(offset) (\(steps[offset - 1].percent)%)")
            }
        }
        // Everything is on the new version at 100%: there is nothing left to bake before, so a
        // wait there would only delay cleanup; termination waits are configured elsewhere.
        if let full = steps.firstIndex(where: { $0.percent == 100 }) {
            if full != steps.count - 1 {
                problems.append("custom steps: the 100% step must be the last one")
            } else if steps[full].bake != .zero {
                problems.append("custom steps: the final 100% step cannot bake, got \(DurationText.format(steps[full].bake))")
            }
        }
        return problems
    }
}
