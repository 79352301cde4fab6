import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// What one blue/green deployment works on, journaled after prepare so that every later call
/// (and `slipway resume` in another process) acts on the same groups. When it is missing (the
/// runner died inside prepare), it is worked out again from AWS: the green group's name comes
/// from the deployment id, blue is the lineage's one live group.
struct BlueGreenState: Codable, Sendable, Equatable {
    var blueGroup: String
    var greenGroup: String
    /// Registration mode: the target groups green joins and blue leaves.
    var trafficGroups: [String]
    /// Weighted mode: the pair member blue is served from, and green's.
    var blueTargetGroup: String?
    var greenTargetGroup: String?
    /// The share of traffic last put on green.
    var percent: Int

    var isWeighted: Bool { blueTargetGroup != nil }

    /// Tag on every green group: the name its lineage started from (`discover.autoScalingGroup`).
    static let lineageTag = "slipway:lineage"
    /// Tag on a blue group kept alive after a deployment: it is no longer live.
    static let retiredTag = "slipway:retired"

    static func greenName(base: String, deploymentId: String) -> String { "\(base)-\(deploymentId)" }

    /// The state journaled earlier in this deployment, else worked out from AWS.
    static func load(_ call: ASGBlueGreen.Call, aws: BlueGreenAWS) async throws(PluginError) -> BlueGreenState {
        if let state = call.state, let decoded = try? state.decode(as: BlueGreenState.self) { return decoded }
        return try await resolve(call, aws: aws)
    }

    static func resolve(_ call: ASGBlueGreen.Call, aws: BlueGreenAWS) async throws(PluginError) -> BlueGreenState {
        guard let base = call.config.hosts.discover?.autoScalingGroup else {
            throw PluginError.invalidConfig("an asg-bluegreen stage needs with.discover.autoScalingGroup (the blue group)")
        }
        let settings = call.config.blueGreen
        let green = greenName(base: base, deploymentId: call.deploymentId)
        let blue = try await liveGroup(base: base, excluding: green, aws: aws)
        if settings.isWeighted || settings.targetGroupPair != nil {
            guard let listener = settings.listener, let pairReferences = settings.targetGroupPair else {
                throw PluginError.invalidConfig("with.blueGreen: listener and targetGroupPair go together (weighted shifting)")
            }
            let pair = try await TargetGroupMembership.resolve(pairReferences, elb: aws.elb)
            let weights = try await aws.forward(listener: listener, rule: settings.rule).forwardWeights
            let (first, second) = (weights[pair[0]] ?? 0, weights[pair[1]] ?? 0)
            guard first != second else {
                throw PluginError.failed("\(settings.rule ?? listener) gives both of targetGroupPair the same weight (\(first)); "
                    + "cannot tell which one serves the live group. Send all traffic to one of them first")
            }
            let (blueTG, greenTG) = first > second ? (pair[0], pair[1]) : (pair[1], pair[0])
            return BlueGreenState(blueGroup: blue.name, greenGroup: green, trafficGroups: [], blueTargetGroup: blueTG,
                                  greenTargetGroup: greenTG, percent: 0)
        }
        let traffic = try await settings.targetGroups.asyncMap { references throws(PluginError) in
            try await TargetGroupMembership.resolve(references, elb: aws.elb)
        } ?? blue.targetGroupARNs
        guard !traffic.isEmpty else {
            throw PluginError.invalidConfig("Auto Scaling group \(blue.name) is in no target group: give with.blueGreen.targetGroups "
                + "(or listener and targetGroupPair) so traffic has somewhere to move")
        }
        return BlueGreenState(blueGroup: blue.name, greenGroup: green, trafficGroups: traffic, blueTargetGroup: nil,
                              greenTargetGroup: nil, percent: 0)
    }

    /// The one group of the lineage that serves now: `base` itself or a green group an earlier
    /// deployment left live, neither retired nor this deployment's green.
    static func liveGroup(base: String, excluding green: String, aws: BlueGreenAWS) async throws(PluginError) -> AutoScalingGroupDescription {
        let found: [AutoScalingGroupDescription]
        do {
            found = try await aws.asg.groups(names: [base]) + aws.asg.groups(taggedWith: lineageTag, value: base)
        } catch {
            throw PluginError.failed("reading Auto Scaling group \(base): \(error)")
        }
        var seen = Set<String>()
        let live = found.filter { seen.insert($0.name).inserted && $0.name != green && $0.tags[retiredTag] == nil }
        guard let blue = live.first else { throw PluginError.notFound("no live Auto Scaling group \(base) (nor a copy of it)") }
        guard live.count == 1 else {
            throw PluginError.failed("several live groups of \(base): \(live.map(\.name).joined(separator: ", ")); "
                + "an earlier deployment did not finish: resume it or roll it back")
        }
        return blue
    }
}

/// The AWS clients a blue/green deployment uses, from the stage's region and endpoint.
struct BlueGreenAWS: Sendable {
    var asg: AutoScalingClient
    var elb: ELBv2Client

    init(_ config: BlueGreenConfig) throws(PluginError) {
        let client = try EC2Discovery.awsClient(config.hosts)
        asg = AutoScalingClient(client: client)
        elb = ELBv2Client(client: client)
    }

    /// The forward action of the listener's default rule, or of `rule`.
    func forward(listener: String, rule: String?) async throws(PluginError) -> ELBv2Action {
        do {
            let actions: [ELBv2Action]
            if let rule {
                actions = try await elb.rules(arns: [rule]).first?.actions ?? []
            } else {
                actions = try await elb.listeners(arns: [listener]).first?.defaultActions ?? []
            }
            guard let forward = actions.first(where: { $0.type == "forward" }) else {
                throw PluginError.failed("\(rule ?? listener) has no forward action to shift")
            }
            return forward
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError.failed("reading \(rule ?? listener): \(error)")
        }
    }

    func group(_ name: String) async throws(PluginError) -> AutoScalingGroupDescription? {
        do { return try await asg.groups(names: [name]).first } catch {
            throw PluginError.failed("reading Auto Scaling group \(name): \(error)")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws(PluginError) -> T) async throws(PluginError) -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
