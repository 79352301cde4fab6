import SlipwayPluginKit

/// What one deployment remembers between calls (journaled by the runner, handed back after a
/// crash). Everything can also be found again in AWS — the replacement task set carries the
/// deployment id as its externalId — so a call retried before its state was saved still
/// finds what the lost call created.
struct ECSDeploymentState: Codable, Sendable, Equatable {
    var taskDefinition: String?
    var originalTaskSet: String?
    var replacementTaskSet: String?
    var originalTargetGroup: String?
    var replacementTargetGroup: String?
    /// The revision's appspec hooks: event → Lambda functions (read once, in prepare).
    var appSpecHooks: [String: [String]] = [:]
    /// Appspec hook events already run, so a retried call does not run them twice.
    var appSpecHooksDone: [String] = []

    init() {}

    init(_ value: JSONValue?) {
        self = (try? value?.decode(as: ECSDeploymentState.self)) ?? ECSDeploymentState()
    }

    var json: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
}
