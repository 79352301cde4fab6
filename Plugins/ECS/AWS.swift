import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// The AWS clients of one call, configured from the stage (region, endpoint) and the standard
/// credential chain, with the reads and writes the blue/green steps share.
struct AWS {
    let client: AWSClient
    let ecs: ECSClient
    let elb: ELBv2Client

    init(_ config: ECSConfig) throws(PluginError) {
        do {
            client = try AWSClient.standard(region: config.region, endpoint: config.endpoint)
        } catch {
            throw PluginError.invalidConfig("AWS configuration: \(error)")
        }
        ecs = ECSClient(client: client)
        elb = ELBv2Client(client: client)
    }

    /// The stage's service, which must let Slipway manage its task sets.
    func service(_ config: ECSConfig) async throws -> ECSService {
        guard let service = try await ecs.service(cluster: config.cluster, name: config.service) else {
            throw PluginError.notFound("no service \(config.service) in cluster \(config.cluster)")
        }
        guard service.deploymentController == "EXTERNAL" else {
            throw PluginError.invalidConfig("service \(config.service) has deployment controller \(service.deploymentController); blue/green task sets need EXTERNAL")
        }
        return service
    }

    /// Which of the two target groups serves production now (the original) and which gets the
    /// replacement: the one the production listener sends traffic to; if it sends to both (a
    /// deployment left half-shifted), the primary task set's.
    func productionRouting(_ config: ECSConfig, primary: ECSTaskSet?) async throws -> (original: String, replacement: String) {
        guard let listener = try await elb.listeners(arns: [config.productionListener]).first else {
            throw PluginError.notFound("no listener \(config.productionListener)")
        }
        let weights = listener.defaultActions.first { $0.type == "forward" }?.forwardWeights ?? [:]
        let serving = config.targetGroups.filter { (weights[$0] ?? 0) > 0 }
        if let other = weights.keys.first(where: { !config.targetGroups.contains($0) && (weights[$0] ?? 0) > 0 }) {
            throw PluginError.invalidConfig("the production listener forwards to \(other), which is not one of with.targetGroups")
        }
        let original: String
        switch serving.count {
        case 1: original = serving[0]
        case 2:
            guard let fromPrimary = primary?.targetGroups.first(where: config.targetGroups.contains) else {
                throw PluginError.failed("the production listener sends traffic to both target groups and no primary task set says which is live")
            }
            original = fromPrimary
        default:
            throw PluginError.invalidConfig("the production listener forwards to neither of with.targetGroups")
        }
        return (original, config.targetGroups.first { $0 != original } ?? original)
    }

    /// The listener's forward: `replacementWeight`% to the replacement, the rest to the original.
    func route(_ listener: String, state: ECSDeploymentState, replacementWeight: Int) async throws {
        guard let original = state.originalTargetGroup, let replacement = state.replacementTargetGroup else {
            throw PluginError.failed("the deployment's target groups are unknown")
        }
        try await elb.modifyListener(arn: listener, defaultActions: [
            .weightedForward([(targetGroupArn: original, weight: 100 - replacementWeight), (targetGroupArn: replacement, weight: replacementWeight)]),
        ])
    }

    /// Invokes lifecycle hook functions with CodeDeploy's contract (the Lambda plugin's invoker).
    func runHooks(_ event: String, _ functions: [String], _ call: PluginCall<ECSConfig>) async throws {
        call.context.emit(message: "\(event): invoking \(functions.joined(separator: ", "))")
        do {
            try await LambdaHookInvoker(lambda: LambdaClient(client: client)).run(event: event, functions: functions, deploymentId: call.deploymentId)
        } catch let failure as LambdaHookInvoker.Failure {
            throw PluginError.failed(failure.description)
        }
    }
}
