import Foundation
import SlipwayAWS
import SlipwayAppSpec
import SlipwayPluginKit

/// Target type `ecs`: CodeDeploy's ECS blue/green flow as traffic primitives. The runner owns
/// the order, the weights, gates and rollback (docs/plugin-abi.md); each method here is one
/// idempotent step on AWS:
///
/// - prepare: register the task definition, create the replacement task set (externalId = the
///   deployment id) on the target group not serving production, wait until it is stable
/// - allowTestTraffic: the test listener forwards to the replacement's target group
/// - setWeight: the production listener's weighted forward, original/replacement
/// - promote: the replacement becomes the service's primary task set
/// - cleanup: after the termination wait, the original task set is deleted
/// - abort: both listeners back to the original target group, the original primary again,
///   the replacement deleted
///
/// Hooks of the revision's appspec run inside these steps (BeforeInstall and AfterInstall in
/// prepare, AfterAllowTestTraffic in allowTestTraffic, BeforeAllowTraffic before the first
/// weight, AfterAllowTraffic in promote); the stage's own `hooks:` arrive through runHook.
struct ECSBlueGreen: TrafficPlugin {
    typealias Config = ECSConfig
    static let targetType = "ecs"
    static let implementsHooks = true
    static let implementsTestTraffic = true
    static let configSchema = ECSConfig.schema

    func prepare(_ call: Call, revision: Revision) async throws -> PrepareResult {
        let config = call.config
        let read = try ECSRevision.read(revision, config: config)
        let container = try containerTarget(config, read.appSpec)
        if call.plan {
            var lines: [String] = []
            if let hooks = read.appSpec?.functions(for: "BeforeInstall"), !hooks.isEmpty { lines.append("run BeforeInstall hooks \(hooks.joined(separator: ", "))") }
            lines.append(read.taskDefinitionJSON != nil
                ? "register the task definition in \(config.taskDefinition ?? "taskdef.json")"
                : "use task definition \(read.appSpec?.taskDefinition ?? "?")")
            lines.append("create a replacement task set of \(config.service) in \(config.cluster) (\(config.launchType ?? "FARGATE")) on the target group not serving \(config.productionListener), container \(container.name):\(container.port)")
            lines.append("wait until it is stable (\(config.stability?.command.map { "command: \($0)" } ?? "ECS stabilityStatus"), timeout \(config.stability?.timeout ?? "10m"))")
            if let hooks = read.appSpec?.functions(for: "AfterInstall"), !hooks.isEmpty { lines.append("run AfterInstall hooks \(hooks.joined(separator: ", "))") }
            return PrepareResult(candidate: "a replacement task set of \(config.service)", plan: lines)
        }
        let aws = try AWS(config)
        var state = ECSDeploymentState(call.state)
        for event in ECSAppSpec.hookEvents {
            if let functions = read.appSpec?.functions(for: event), !functions.isEmpty { state.appSpecHooks[event] = functions }
        }
        try await runAppSpecHooks("BeforeInstall", call, aws, &state)

        let service = try await aws.service(config)
        let routing = try await aws.productionRouting(config, primary: service.primaryTaskSet)
        state.originalTargetGroup = routing.original
        state.replacementTargetGroup = routing.replacement
        state.originalTaskSet = service.primaryTaskSet?.arn

        let replacement: ECSTaskSet
        if let existing = service.taskSets.first(where: { $0.externalId == call.deploymentId && $0.status != "DRAINING" }) {
            call.context.emit(message: "replacement task set \(existing.id) already exists (a retried step)")
            replacement = existing
            state.taskDefinition = existing.taskDefinition
        } else {
            let taskDefinition: String
            if let json = read.taskDefinitionJSON {
                let body = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
                taskDefinition = try await aws.ecs.registerTaskDefinition(body)
                call.context.emit(message: "registered task definition \(taskDefinition)")
            } else {
                taskDefinition = read.appSpec?.taskDefinition ?? ""
            }
            state.taskDefinition = taskDefinition
            let network = read.appSpec?.network.map { NetworkSettings(subnets: $0.subnets, securityGroups: $0.securityGroups, assignPublicIp: $0.assignPublicIp) }
                ?? config.network
            replacement = try await aws.ecs.createTaskSet(ECSTaskSetRequest(
                cluster: config.cluster, service: config.service, taskDefinition: taskDefinition, externalId: call.deploymentId,
                targetGroup: routing.replacement, containerName: container.name, containerPort: container.port,
                launchType: config.launchType ?? "FARGATE", platformVersion: read.appSpec?.platformVersion ?? config.platformVersion,
                subnets: network?.subnets ?? [], securityGroups: network?.securityGroups ?? [], assignPublicIp: network?.assignPublicIp))
            call.context.emit(message: "created replacement task set \(replacement.id) on \(shortName(routing.replacement))")
        }
        state.replacementTaskSet = replacement.arn
        try await StabilityWait(settings: config.stability ?? StabilitySettings(), ecs: aws.ecs, cluster: config.cluster,
                                service: config.service, taskSet: replacement.arn, targetGroup: routing.replacement,
                                deploymentId: call.deploymentId, context: call.context).run()
        try await runAppSpecHooks("AfterInstall", call, aws, &state)
        return PrepareResult(candidate: "task set \(replacement.id) (\(shortName(state.taskDefinition ?? ""))) on \(shortName(routing.replacement))",
                             state: state.json)
    }

    func allowTestTraffic(_ call: Call) async throws -> PluginResult {
        if call.plan {
            return PluginResult(plan: [call.config.testListener.map { "route test listener \($0) to the replacement's target group" }
                ?? "no test listener: test traffic is not routed"])
        }
        let aws = try AWS(call.config)
        var state = try await knownState(call, aws)
        if let listener = call.config.testListener, let replacement = state.replacementTargetGroup {
            try await aws.elb.modifyListener(arn: listener, defaultActions: [.forward(to: replacement)])
            call.context.emit(message: "test listener forwards to \(shortName(replacement))")
        }
        try await runAppSpecHooks("AfterAllowTestTraffic", call, aws, &state)
        return PluginResult(state: state.json)
    }

    func setWeight(_ call: Call, percent: Double) async throws -> PluginResult {
        let weight = Int(percent.rounded())
        if call.plan { return PluginResult(plan: ["production listener: \(100 - weight)% original, \(weight)% replacement"]) }
        let aws = try AWS(call.config)
        var state = try await knownState(call, aws)
        try await runAppSpecHooks("BeforeAllowTraffic", call, aws, &state)
        try await aws.route(call.config.productionListener, state: state, replacementWeight: weight)
        call.context.emit(message: "production listener: \(100 - weight)% \(shortName(state.originalTargetGroup ?? "")), \(weight)% \(shortName(state.replacementTargetGroup ?? ""))")
        return PluginResult(state: state.json)
    }

    func promote(_ call: Call) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["make the replacement task set the service's primary task set"]) }
        let aws = try AWS(call.config)
        var state = try await knownState(call, aws)
        guard let replacement = state.replacementTaskSet else { throw PluginError.failed("no replacement task set to promote") }
        try await aws.ecs.updateServicePrimaryTaskSet(cluster: call.config.cluster, service: call.config.service, taskSet: replacement)
        call.context.emit(message: "primary task set: \(replacement)")
        try await runAppSpecHooks("AfterAllowTraffic", call, aws, &state)
        return PluginResult(state: state.json)
    }

    func cleanup(_ call: Call) async throws -> PluginResult {
        let wait = DurationSetting.parse(call.config.terminationWait, default: .zero)
        if call.plan {
            return PluginResult(plan: ["after \(call.config.terminationWait ?? "0s"), delete the original task set"])
        }
        let aws = try AWS(call.config)
        let state = ECSDeploymentState(call.state)
        guard let original = state.originalTaskSet else { return PluginResult() }
        if wait > .zero {
            call.context.emit(message: "keeping the original task set for \(call.config.terminationWait ?? "") (a rollback until then is instant)")
            let end = ContinuousClock.now + wait
            while ContinuousClock.now < end {
                try call.context.checkCancellation()
                try? await Task.sleep(until: min(end, ContinuousClock.now + .milliseconds(200)), clock: .continuous)
            }
        }
        let remaining = try await aws.ecs.taskSets(cluster: call.config.cluster, service: call.config.service, arns: [original])
        if !remaining.isEmpty {
            try await aws.ecs.deleteTaskSet(cluster: call.config.cluster, service: call.config.service, taskSet: original)
            call.context.emit(message: "deleted the original task set \(original)")
        }
        return PluginResult()
    }

    func abort(_ call: Call) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["route both listeners back to the original target group and delete the replacement task set"]) }
        let config = call.config
        let aws = try AWS(config)
        var state = ECSDeploymentState(call.state)
        let service = try await aws.service(config)
        let replacement = service.taskSets.first { $0.arn == state.replacementTaskSet || $0.externalId == call.deploymentId }
        // A state lost with a crashed runner: the replacement's target group says which is which.
        if state.originalTargetGroup == nil, let group = replacement?.targetGroups.first {
            state.replacementTargetGroup = group
            state.originalTargetGroup = config.targetGroups.first { $0 != group }
        }
        if state.originalTaskSet == nil {
            let others = service.taskSets.filter { $0.arn != replacement?.arn }
            state.originalTaskSet = (others.first { $0.status == "PRIMARY" } ?? others.first)?.arn
        }
        if let original = state.originalTargetGroup {
            try await aws.route(config.productionListener, state: state, replacementWeight: 0)
            if let test = config.testListener { try await aws.elb.modifyListener(arn: test, defaultActions: [.forward(to: original)]) }
            call.context.emit(message: "listeners forward to the original target group \(shortName(original)) again")
        }
        if let replacement, replacement.status == "PRIMARY", let original = state.originalTaskSet,
           service.taskSets.contains(where: { $0.arn == original }) {
            try await aws.ecs.updateServicePrimaryTaskSet(cluster: config.cluster, service: config.service, taskSet: original)
            call.context.emit(message: "primary task set: the original \(original) again")
        }
        if let replacement {
            try await aws.ecs.deleteTaskSet(cluster: config.cluster, service: config.service, taskSet: replacement.arn)
            call.context.emit(message: "deleted the replacement task set \(replacement.id)")
        }
        state.replacementTaskSet = nil
        return PluginResult(state: state.json)
    }

    func runHook(_ call: Call, event: String, hooks: [String]) async throws -> PluginResult {
        if call.plan { return PluginResult(plan: ["invoke \(event) hook functions \(hooks.joined(separator: ", "))"]) }
        let aws = try AWS(call.config)
        try await aws.runHooks(event, hooks, call)
        return PluginResult()
    }

    // MARK: Helpers

    /// The state of a prepared deployment; a state lost with a crashed runner is found again
    /// from the listener and the task set carrying the deployment id.
    func knownState(_ call: Call, _ aws: AWS) async throws -> ECSDeploymentState {
        var state = ECSDeploymentState(call.state)
        if state.replacementTargetGroup != nil, state.replacementTaskSet != nil { return state }
        let service = try await aws.service(call.config)
        guard let replacement = service.taskSets.first(where: { $0.externalId == call.deploymentId }) else {
            throw PluginError.failed("deployment \(call.deploymentId) has no replacement task set in \(call.config.service)")
        }
        state.replacementTaskSet = replacement.arn
        state.replacementTargetGroup = replacement.targetGroups.first
        state.originalTargetGroup = call.config.targetGroups.first { $0 != replacement.targetGroups.first }
        state.originalTaskSet = service.taskSets.first { $0.arn != replacement.arn && $0.status == "PRIMARY" }?.arn
        return state
    }

    func containerTarget(_ config: ECSConfig, _ appSpec: ECSAppSpec?) throws(PluginError) -> (name: String, port: Int) {
        if let appSpec { return (appSpec.containerName, appSpec.containerPort) }
        guard let name = config.containerName, let port = config.containerPort else {
            throw PluginError.invalidConfig("give with.containerName and with.containerPort, or an appspec with LoadBalancerInfo")
        }
        return (name, port)
    }

    /// Runs the appspec's hooks of `event` once per deployment.
    func runAppSpecHooks(_ event: String, _ call: Call, _ aws: AWS, _ state: inout ECSDeploymentState) async throws {
        guard let functions = state.appSpecHooks[event], !functions.isEmpty, !state.appSpecHooksDone.contains(event) else { return }
        try await aws.runHooks(event, functions, call)
        state.appSpecHooksDone.append(event)
    }
}

/// `targetgroup/blue/abc…` → `blue`, for progress lines.
func shortName(_ arn: String) -> String {
    let parts = arn.split(separator: "/")
    if arn.contains(":targetgroup/"), parts.count >= 2 { return String(parts[parts.count - 2]) }
    return String(parts.last ?? Substring(arn))
}
