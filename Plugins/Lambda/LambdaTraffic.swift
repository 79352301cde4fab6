import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// Target type `lambda`: the runner's traffic strategy (canary, linear, all at once, steps)
/// applied to a Lambda alias. `prepare` publishes the revision as a version (or takes an
/// appspec's TargetVersion), `setWeight` moves the alias's RoutingConfig, `promote` points the
/// alias at the new version, `abort` points it back at the version it served before.
///
/// Every method is idempotent for one deployment: prepare reuses a version that already holds
/// the code (found by CodeSha256, which is known from the revision's sha256 before any upload),
/// alias moves are skipped when the alias is already where they would put it, and the
/// versions in play are journaled as state so a resumed runner needs no lookup.
struct LambdaTraffic: TrafficPlugin {
    typealias Config = LambdaConfig

    static let targetType = "lambda"
    static let implementsHooks = true
    static var configSchema: JSONValue { LambdaConfig.schema }

    // MARK: prepare

    func prepare(_ call: Call, revision: Revision) async throws -> PrepareResult {
        let target = try LambdaTarget.resolve(call.config)
        if !call.plan, let state = try journaled(call) {
            return PrepareResult(candidate: describe(state), state: try JSONValue(encoding: state))
        }
        var plan: [String] = []
        let state: LambdaDeploymentState
        if let spec = target.appSpec {
            state = try await prepareAppSpec(call, target: target, currentVersion: spec.currentVersion,
                                             targetVersion: spec.targetVersion, plan: &plan)
        } else {
            state = try await prepareCode(call, target: target, revision: revision, plan: &plan)
        }
        if call.plan { return PrepareResult(candidate: describe(state), plan: plan) }
        if let hooks = target.appSpec?.hooks["BeforeAllowTraffic"], !hooks.isEmpty {
            // The appspec's own hooks: prepare is the rollout's last step before BeforeAllowTraffic.
            try await runHooks(call, target: target, event: "BeforeAllowTraffic", functions: hooks)
        }
        return PrepareResult(candidate: describe(state), state: try JSONValue(encoding: state))
    }

    // MARK: traffic

    func setWeight(_ call: Call, percent: Double) async throws -> PluginResult {
        guard let state = try journaled(call) else {
            if call.plan { return PluginResult(plan: ["send \(percentText(percent)) of the alias's traffic to the new version"]) }
            throw PluginError.failed("setWeight before prepare: no version to shift to")
        }
        let (version, weights) = routing(state, percent: percent)
        if call.plan {
            return PluginResult(plan: ["alias \(state.alias): \(percentText(percent)) on version \(state.candidate)"])
        }
        try await moveAlias(call, state, to: version, weights: weights)
        call.context.emit(message: "alias \(state.alias): \(percentText(percent)) on version \(state.candidate)")
        return PluginResult(state: call.state)
    }

    func promote(_ call: Call) async throws -> PluginResult {
        guard let state = try journaled(call) else {
            if call.plan { return PluginResult(plan: ["point the alias at the new version, no routing"]) }
            throw PluginError.failed("promote before prepare: no version to promote")
        }
        if call.plan { return PluginResult(plan: ["point alias \(state.alias) at version \(state.candidate) with no routing"]) }
        try await moveAlias(call, state, to: state.candidate, weights: [:])
        let target = try LambdaTarget.resolve(call.config)
        if let hooks = target.appSpec?.hooks["AfterAllowTraffic"], !hooks.isEmpty {
            // The appspec's own hooks: AfterAllowTraffic follows promote in the rollout.
            try await runHooks(call, target: target, event: "AfterAllowTraffic", functions: hooks)
        }
        return PluginResult(state: call.state)
    }

    func cleanup(_ call: Call) async throws -> PluginResult {
        let state = try journaled(call)
        let kept = state.map { "version \($0.original) of \($0.function) stays published for rollbacks" } ?? "nothing to clean up"
        if call.plan { return PluginResult(plan: [kept]) }
        // Old versions are never deleted: they are what a later rollback redeploys.
        call.context.emit(message: kept)
        return PluginResult()
    }

    func abort(_ call: Call) async throws -> PluginResult {
        guard let state = try journaled(call) else {
            // prepare never finished: the alias (if it was created) still serves the old version.
            if call.plan { return PluginResult(plan: ["nothing to roll back"]) }
            call.context.emit(message: "no version was prepared: the alias was not moved")
            return PluginResult()
        }
        if call.plan { return PluginResult(plan: ["point alias \(state.alias) back at version \(state.original) with no routing"]) }
        try await moveAlias(call, state, to: state.original, weights: [:])
        call.context.emit(message: "alias \(state.alias) back on version \(state.original), no routing")
        return PluginResult()
    }

    // MARK: hooks

    func runHook(_ call: Call, event: String, hooks: [String]) async throws -> PluginResult {
        if call.plan {
            return PluginResult(plan: hooks.map { "invoke \(event) hook function \($0) (it must return {\"status\": \"Succeeded\"})" })
        }
        let target = try LambdaTarget.resolve(call.config)
        try await runHooks(call, target: target, event: event, functions: hooks, runnerNamesThem: true)
        return PluginResult(state: call.state)
    }

    func runHooks(_ call: Call, target: LambdaTarget, event: String, functions: [String], runnerNamesThem: Bool = false) async throws {
        let invoker = LambdaHookInvoker(lambda: target.lambda)
        for function in functions {
            try call.context.checkCancellation()
            let executionId = LambdaHookInvoker.executionId(deploymentId: call.deploymentId, event: event, function: function)
            call.context.emit(message: "\(event): invoking \(function)", fields: ["hook": function, "executionId": executionId])
            let result = try await aws("invoking \(event) hook \(function)", {
                try await invoker.invoke(function: function, deploymentId: call.deploymentId, executionId: executionId)
            })
            guard result.passed else {
                call.context.emit(level: .error, message: "\(event) hook \(function) failed: \(result.detail)")
                // For runHook the runner prefixes "<event> hook <names> failed: "; appspec hooks
                // run inside prepare/promote and say it themselves.
                if runnerNamesThem {
                    throw PluginError.failed(functions.count == 1 ? result.detail : "\(function): \(result.detail)")
                }
                throw PluginError.failed("\(event) hook \(function) (appspec) failed: \(result.detail)")
            }
            call.context.emit(message: "\(event) hook \(function): Succeeded")
        }
    }

    // MARK: helpers

    /// Alias routing for `percent` on the candidate: below 100 the alias stays on the original
    /// with the candidate as its additional version; at 100 it points at the candidate.
    func routing(_ state: LambdaDeploymentState, percent: Double) -> (version: String, weights: [String: Double]) {
        if state.candidate == state.original || percent >= 100 { return (state.candidate, [:]) }
        if percent <= 0 { return (state.original, [:]) }
        return (state.original, [state.candidate: (percent / 100 * 10_000).rounded() / 10_000])
    }

    /// Moves the alias unless it is already there, so a re-run or a retried call writes nothing.
    func moveAlias(_ call: Call, _ state: LambdaDeploymentState, to version: String, weights: [String: Double]) async throws {
        let lambda = try LambdaTarget.resolve(call.config).lambda
        guard let alias = try await aws("reading alias \(state.alias)", { try await lambda.aliasIfExists(state.function, name: state.alias) }) else {
            throw PluginError.notFound("alias \(state.alias) of Lambda function \(state.function) does not exist (deleted during the deployment?)")
        }
        if alias.functionVersion == version && alias.additionalVersionWeights == weights { return }
        _ = try await aws("updating alias \(state.alias)", {
            try await lambda.updateAlias(state.function, name: state.alias, version: version, weights: weights)
        })
    }

    func journaled(_ call: Call) throws -> LambdaDeploymentState? {
        guard let state = call.state, state != .null else { return nil }
        do {
            return try state.decode(as: LambdaDeploymentState.self)
        } catch {
            throw PluginError.failed("the journaled state of this deployment is not the Lambda plugin's: \(error)")
        }
    }

    func describe(_ state: LambdaDeploymentState) -> String {
        if state.candidate == state.original { return "version \(state.candidate) of \(state.function) (already on alias \(state.alias))" }
        return "version \(state.candidate) of \(state.function) (alias \(state.alias) serves version \(state.original))"
    }

    func updateTimeout(_ call: Call) -> Duration { .seconds(call.config.updateTimeoutSeconds ?? 300) }

    func percentText(_ percent: Double) -> String {
        (percent.rounded() == percent ? String(Int(percent)) : String(percent)) + "%"
    }

    func weightsText(_ weights: [String: Double]) -> String {
        weights.sorted { $0.key < $1.key }.map { "version \($0.key): \(percentText($0.value * 100))" }.joined(separator: ", ")
    }

    /// Runs an AWS call, turning its errors into plugin errors the deploy log can show.
    func aws<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PluginError {
            throw error
        } catch is CancellationError {
            throw PluginError.cancelled()
        } catch let error as AWSError where LambdaClient.isNotFound(error) {
            throw PluginError.notFound("\(what): \(error.message.isEmpty ? error.description : error.message)")
        } catch {
            throw PluginError.failed("\(what): \(error)")
        }
    }
}
