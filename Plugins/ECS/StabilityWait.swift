import Foundation
import SlipwayAWS
import SlipwayPluginKit
import SlipwayProcess

/// Waits until the replacement task set can take traffic, polling a probe until it passes or
/// the timeout expires (CodeDeploy's Install step ends when the task set is stable).
///
/// The probe is ECS itself — the task set's stabilityStatus is STEADY_STATE and its
/// runningCount has reached computedDesiredCount — unless `stability.command` replaces it with
/// a shell command that must exit 0. The command is the injectable step: emulators never
/// compute stability, and teams often want a readiness check of their own. It runs in the
/// runner's working directory with SLIPWAY_TASK_SET_ARN, SLIPWAY_TARGET_GROUP_ARN,
/// SLIPWAY_CLUSTER, SLIPWAY_SERVICE and SLIPWAY_DEPLOYMENT_ID set.
struct StabilityWait {
    var settings: StabilitySettings
    var ecs: ECSClient
    var cluster: String
    var service: String
    var taskSet: String
    var targetGroup: String
    var deploymentId: String
    var context: PluginContext

    var timeout: Duration { DurationSetting.parse(settings.timeout, default: .seconds(600)) }
    var interval: Duration { DurationSetting.parse(settings.interval, default: .seconds(15)) }

    func run() async throws {
        let deadline = ContinuousClock.now + timeout
        var last = "not probed yet"
        while true {
            try context.checkCancellation()
            let (stable, detail) = try await probe()
            if stable {
                context.emit(message: "replacement task set is stable: \(detail)")
                return
            }
            last = detail
            guard ContinuousClock.now + interval <= deadline else { break }
            context.emit(message: "waiting for the replacement task set to become stable: \(detail)")
            try await sleep(interval)
        }
        throw PluginError.failed("the replacement task set did not become stable within \(settings.timeout ?? "10m"): \(last)")
    }

    /// One probe: stable or not, and why.
    func probe() async throws -> (Bool, String) {
        if let command = settings.command { return try await probe(command: command) }
        guard let found = try await ecs.taskSets(cluster: cluster, service: service, arns: [taskSet]).first else {
            throw PluginError.notFound("the replacement task set \(taskSet) is gone")
        }
        let stable = found.stabilityStatus == "STEADY_STATE" && found.runningCount >= found.computedDesiredCount
        return (stable, "\(found.stabilityStatus ?? "no stabilityStatus"), \(found.runningCount) of \(found.computedDesiredCount) tasks running")
    }

    func probe(command: String) async throws -> (Bool, String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SLIPWAY_TASK_SET_ARN"] = taskSet
        environment["SLIPWAY_TARGET_GROUP_ARN"] = targetGroup
        environment["SLIPWAY_CLUSTER"] = cluster
        environment["SLIPWAY_SERVICE"] = service
        environment["SLIPWAY_DEPLOYMENT_ID"] = deploymentId
        let spec = ProcessSpec(arguments: ["/bin/sh", "-c", command], environment: environment,
                               timeout: max(interval, .seconds(30)))
        let lastLine = LastLine()
        let context = self.context
        let result = try await runProcess(spec, onLine: { _, line in lastLine.set(line) },
                                          isCancelled: { context.isCancelled })
        if result.cancelled { throw PluginError.cancelled() }
        let said = lastLine.value.map { ": \($0)" } ?? ""
        return (result.succeeded, "stability command \(result.succeeded ? "passed" : "failed (\(result.termination))")\(said)")
    }

    private func sleep(_ duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            try context.checkCancellation()
            try? await Task.sleep(until: min(end, ContinuousClock.now + .milliseconds(200)), clock: .continuous)
        }
    }
}

/// The last line a probe command printed, for the progress message.
final class LastLine: @unchecked Sendable {
    private let lock = NSLock()
    private var line: String?

    func set(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        line = text
    }

    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return line
    }
}
