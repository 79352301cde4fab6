/// The weight schedule of a traffic shift: each step sets the candidate's share, then bakes.
/// The last step is always 100% with no bake.
public struct TrafficPlan: Sendable, Equatable {
    public var steps: [TrafficStep]

    public init(steps: [TrafficStep]) {
        self.steps = steps
    }

    /// Expands a shift into steps. Expects a shift that passed `validate()`; out-of-range values
    /// are clamped (percent into 1...100, negative waits to zero, non-rising steps dropped) so
    /// that expansion can never trap or loop forever on unchecked input.
    public static func make(_ shift: TrafficShift) -> TrafficPlan {
        switch shift {
        case .allAtOnce:
            return TrafficPlan(steps: [.full])
        case .canary(let percent, let interval):
            return TrafficPlan(rising: [TrafficStep(percent: percent, bake: interval)])
        case .linear(let percent, let interval):
            // 30% every interval gives 30, 60, 90, then 100: the last increment is what is left.
            let increment = min(max(percent, 1), 100)
            let rising = stride(from: increment, to: 100, by: increment).map {
                TrafficStep(percent: $0, bake: interval)
            }
            return TrafficPlan(rising: rising)
        case .steps(let steps):
            return TrafficPlan(rising: steps)
        }
    }

    /// Time spent baking from the first shift to the last.
    public var totalBake: Duration {
        steps.reduce(.zero) { $0 + $1.bake }
    }

    /// Builds a plan from steps meant to rise towards 100, enforcing the plan's invariants and
    /// appending the final 100% step that custom lists may leave out.
    private init(rising candidates: [TrafficStep]) {
        var steps: [TrafficStep] = []
        for candidate in candidates {
            let percent = min(max(candidate.percent, 1), 100)
            if let last = steps.last, percent <= last.percent { continue }
            if percent == 100 { break }
            steps.append(TrafficStep(percent: percent, bake: max(candidate.bake, .zero)))
        }
        self.init(steps: steps + [.full])
    }
}

extension TrafficStep {
    /// Everything on the new version; nothing left to bake for.
    static let full = TrafficStep(percent: 100, bake: .zero)
}
