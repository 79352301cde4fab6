extension TrafficPlan {
    /// One compact line for plans and logs. Up to four steps are listed in full
    /// ("10% for 5m, then 100%"); longer regular schedules are summarised
    /// ("10% → 20% → … → 90% every 1m, then 100% (10 steps, 9m total)"), and longer irregular
    /// ones show their first two and last baking steps.
    public func describe() -> String {
        guard let final = steps.last else { return "no traffic shift" }
        let baking = steps.dropLast()
        if baking.isEmpty { return "\(final.percent)% at once" }

        let ending = "then \(final.percent)%"
        let total = DurationText.format(totalBake)
        if steps.count <= 4 {
            let listed = baking.map(Self.text).joined(separator: ", ") + ", " + ending
            return steps.count >= 3 ? "\(listed) (\(total) total)" : listed
        }
        let counts = "(\(steps.count) steps, \(total) total)"
        if let regular = regularSummary(baking) {
            return "\(regular), \(ending) \(counts)"
        }
        let shown = [baking[baking.startIndex], baking[baking.startIndex + 1]].map(Self.text)
            + ["…", Self.text(baking[baking.endIndex - 1])]
        return shown.joined(separator: ", ") + ", \(ending) \(counts)"
    }

    private static func text(_ step: TrafficStep) -> String {
        "\(step.percent)% for \(DurationText.format(step.bake))"
    }

    /// "10% → 20% → … → 90% every 1m" when the baking steps rise by equal amounts and bake
    /// equally long; nil otherwise.
    private func regularSummary(_ baking: ArraySlice<TrafficStep>) -> String? {
        let first = baking[baking.startIndex], second = baking[baking.startIndex + 1]
        let increment = second.percent - first.percent
        let isRegular = zip(baking, baking.dropFirst()).allSatisfy {
            $1.percent - $0.percent == increment && $1.bake == $0.bake
        }
        guard isRegular, let last = baking.last else { return nil }
        return "\(first.percent)% → \(second.percent)% → … → \(last.percent)% every \(DurationText.format(first.bake))"
    }
}
