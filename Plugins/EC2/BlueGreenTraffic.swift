import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// Moves traffic between the blue and green groups of one deployment, in either mode:
/// weighted (the listener's forward between the two target groups of the pair) or registration
/// (green instances join the target groups, blue ones leave, as CodeDeploy does).
struct BlueGreenTraffic: Sendable {
    var aws: BlueGreenAWS
    var state: BlueGreenState
    var settings: BlueGreenSettings
    var context: PluginContext

    /// Puts `percent` of the traffic on green. Registration mode can only add green (100);
    /// blue leaves in `retireBlue`.
    func shift(to percent: Int) async throws(PluginError) {
        if state.isWeighted {
            try await setWeights(green: percent)
        } else if percent == 100 {
            try await join(state.greenGroup)
        } else if percent > 0 {
            throw PluginError.failed("a \(percent)% shift needs weighted target groups (with.blueGreen.listener and targetGroupPair); "
                + "without them traffic moves all at once: use strategy allAtOnce: true")
        }
    }

    /// Blue stops serving: weighted, its weight is 0 already; registration, it leaves the groups.
    func retireBlue() async throws(PluginError) {
        if !state.isWeighted { try await leave(state.blueGroup) }
    }

    /// All traffic back on blue.
    func restoreBlue() async throws(PluginError) {
        if state.isWeighted {
            try await setWeights(green: 0)
        } else {
            try await join(state.blueGroup)
            try await leave(state.greenGroup)
        }
    }

    // MARK: Weighted

    func setWeights(green percent: Int) async throws(PluginError) {
        guard let listener = settings.listener, let blueTG = state.blueTargetGroup, let greenTG = state.greenTargetGroup else { return }
        let current = try await aws.forward(listener: listener, rule: settings.rule)
        let action = ELBv2Action.weightedForward([(blueTG, 100 - percent), (greenTG, percent)],
                                                 stickinessEnabled: current.stickinessEnabled,
                                                 stickinessDurationSeconds: current.stickinessDurationSeconds)
        let written: [String: Int]
        do {
            if let rule = settings.rule {
                written = try await aws.elb.modifyRule(arn: rule, actions: [action]).actions.first?.forwardWeights ?? [:]
            } else {
                written = try await aws.elb.modifyListener(arn: listener, defaultActions: [action]).defaultActions.first?.forwardWeights ?? [:]
            }
        } catch {
            throw PluginError.failed("shifting \(settings.rule ?? listener) to \(percent)%: \(error)")
        }
        // What the load balancer now says, not what was asked.
        let blueName = TargetGroupMembership.shortName(blueTG), greenName = TargetGroupMembership.shortName(greenTG)
        context.emit(message: "\(settings.rule == nil ? "listener" : "rule") forwards \(blueName) \(written[blueTG] ?? 0), \(greenName) \(written[greenTG] ?? 0)")
    }

    // MARK: Registration

    /// The group's instances join the traffic groups and turn healthy. The groups are attached
    /// too, so instances launched later land there as well.
    func join(_ name: String) async throws(PluginError) {
        guard let group = try await aws.group(name) else {
            throw PluginError.failed("Auto Scaling group \(name) no longer exists; traffic stays where it is")
        }
        do { try await aws.asg.attachTargetGroups(state.trafficGroups, toGroup: name) } catch {
            throw PluginError.failed("attaching the target groups to \(name): \(error)")
        }
        context.emit(message: "registering \(name)'s \(group.instances.count) instances")
        try await forEach(group.instances.map(\.instanceId)) { membership throws(PluginError) in try await membership.allow() }
    }

    /// The group leaves the traffic groups and its instances drain.
    func leave(_ name: String) async throws(PluginError) {
        guard let group = try await aws.group(name) else { return }
        do { try await aws.asg.detachTargetGroups(state.trafficGroups.filter(group.targetGroupARNs.contains), fromGroup: name) } catch {
            throw PluginError.failed("detaching the target groups from \(name): \(error)")
        }
        context.emit(message: "deregistering \(name)'s \(group.instances.count) instances")
        try await forEach(group.instances.map(\.instanceId)) { membership throws(PluginError) in try await membership.block() }
    }

    /// Runs `body` on the membership of every instance, all at once.
    func forEach(_ instances: [String], _ body: @escaping @Sendable (TargetGroupMembership) async throws(PluginError) -> Void) async throws(PluginError) {
        let memberships = instances.map { id in
            TargetGroupMembership(elb: aws.elb, instanceId: id, targetGroupArns: state.trafficGroups, settings: settings.membershipSettings,
                                  emit: { [context] message in context.emit(message: message, host: id) },
                                  isCancelled: { [context] in context.isCancelled })
        }
        let failures = await withTaskGroup(of: PluginError?.self) { group in
            for membership in memberships {
                group.addTask {
                    do throws(PluginError) { try await body(membership) } catch { return error }
                    return nil
                }
            }
            var failures: [PluginError] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if let first = failures.first {
            throw PluginError(code: first.code, message: failures.map(\.message).joined(separator: "; "))
        }
    }
}
