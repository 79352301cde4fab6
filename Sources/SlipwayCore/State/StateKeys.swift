import Foundation

/// The store key layout of the state layer, in one place:
///
///     locks/<pipeline>/<stage>.json                      the stage lock (LockInfo)
///     deployments/<pipeline>/<id>/record.json            DeploymentRecord (saved by CAS)
///     deployments/<pipeline>/<id>/journal.jsonl          mirror of the local journal
///     deployments/by-id/<id>.json                        {pipeline, stage}: lookup by id alone
///     stages/<pipeline>/<stage>/last-successful.json     LastSuccessful
///     stages/<pipeline>/<stage>/history/<stamp>-<id>     empty marker; listing is the history
///
/// `<stamp>` is the start time as `yyyyMMddTHHmmss.SSSZ` (UTC, fixed width), so the store's
/// sorted listing is chronological and `history` reads only the records it returns.
enum StateKeys {
    /// `deployments/by-id/` shares the `deployments/` prefix with pipelines.
    static let reservedPipelineNames: Set<String> = ["by-id"]

    static func lock(pipeline: String, stage: String) -> String { "locks/\(pipeline)/\(stage).json" }
    static func locks(pipeline: String?) -> String { pipeline.map { "locks/\($0)/" } ?? "locks/" }
    static func record(pipeline: String, id: DeploymentID) -> String { "deployments/\(pipeline)/\(id)/record.json" }
    static func journal(pipeline: String, id: DeploymentID) -> String { "deployments/\(pipeline)/\(id)/journal.jsonl" }
    static func byID(_ id: DeploymentID) -> String { "deployments/by-id/\(id).json" }
    static func lastSuccessful(pipeline: String, stage: String) -> String {
        "stages/\(pipeline)/\(stage)/last-successful.json"
    }
    static func historyPrefix(pipeline: String) -> String { "stages/\(pipeline)/" }
    static func historyMarker(pipeline: String, stage: String, startedAt: Date, id: DeploymentID) -> String {
        "stages/\(pipeline)/\(stage)/history/\(StateTime.sortableStamp(startedAt))-\(id)"
    }

    /// A history marker key split back into its stage and id, or nil for other keys under the
    /// pipeline's `stages/` prefix (such as last-successful.json).
    static func parseHistoryMarker(_ key: String, pipeline: String) -> (stage: String, name: String, id: DeploymentID)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "stages", parts[1] == pipeline, parts[3] == "history" else { return nil }
        let name = String(parts[4])
        guard let dash = name.firstIndex(of: "-"),
              let id = DeploymentID(rawValue: String(name[name.index(after: dash)...])) else { return nil }
        return (String(parts[2]), name, id)
    }

    /// Pipeline and stage names become single key segments: reject anything that would add a
    /// level, escape the store or collide with the layout. A leading dot is refused because
    /// FileStore hides dot-names from listings (its temporary and lock files).
    static func checkName(_ name: String, kind: String) -> StateError? {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0")
            || name.hasPrefix(".") {
            return .invalidName(kind: kind, name: name)
        }
        if kind == "pipeline", reservedPipelineNames.contains(name) { return .invalidName(kind: kind, name: name) }
        return nil
    }

    static func check(pipeline: String, stage: String? = nil) throws(StateError) {
        if let problem = checkName(pipeline, kind: "pipeline") { throw problem }
        if let stage, let problem = checkName(stage, kind: "stage") { throw problem }
    }
}
