/// The order stages run in: file order, except that a stage waits for the stages it `needs`.
public enum StageOrder {
    /// Stages sorted so each comes after what it needs, otherwise keeping file order.
    /// Unknown needs are ignored here (the loader reports them).
    public static func sorted(_ stages: [Stage]) -> [Stage] {
        var done = Set<String>()
        var remaining = stages
        var result: [Stage] = []
        let known = Set(stages.map(\.name))
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { stage in
                stage.needs.allSatisfy { done.contains($0) || !known.contains($0) || $0 == stage.name }
            }) else {
                return result + remaining  // a cycle: reported by `cycle(in:)`
            }
            let stage = remaining.remove(at: next)
            done.insert(stage.name)
            result.append(stage)
        }
        return result
    }

    /// The first cycle found among `needs`, as stage names from its start back to it.
    /// Iterative depth-first search: a pipeline with a long chain of stages must not overflow
    /// the stack.
    public static func cycle(in stages: [Stage]) -> [String]? {
        let needs = Dictionary(stages.map { ($0.name, $0.needs) }, uniquingKeysWith: { first, _ in first })
        var finished = Set<String>()
        for stage in stages where !finished.contains(stage.name) {
            // Each frame: a stage on the current path and the index of its next need to visit.
            var path: [(name: String, next: Int)] = [(stage.name, 0)]
            var onPath: Set<String> = [stage.name]
            while let top = path.last {
                let targets = (needs[top.name] ?? []).filter { needs[$0] != nil && $0 != top.name }
                guard top.next < targets.count else {
                    finished.insert(top.name)
                    onPath.remove(top.name)
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let need = targets[top.next]
                if onPath.contains(need) {
                    let start = path.firstIndex { $0.name == need }!
                    return path[start...].map(\.name) + [need]
                }
                if !finished.contains(need) {
                    path.append((need, 0))
                    onPath.insert(need)
                }
            }
        }
        return nil
    }
}
