import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// Takes one instance out of its target groups and puts it back, waiting each time until the
/// load balancer agrees: deregistered (draining over) before the host is touched, healthy before
/// the next host goes. Every call is idempotent, so a retried deployHost does no harm.
struct TargetGroupMembership: Sendable {
    var elb: ELBv2Client
    var instanceId: String
    var targetGroupArns: [String]
    var settings: LoadBalancerSettings
    /// Progress lines (host id, message).
    var emit: @Sendable (String) -> Void
    var isCancelled: @Sendable () -> Bool

    var target: ELBv2Target { ELBv2Target(id: instanceId, port: settings.port) }

    /// ARNs as given, names looked up (one DescribeTargetGroups call for all names).
    static func resolve(_ references: [String], elb: ELBv2Client) async throws(PluginError) -> [String] {
        let names = references.filter { !$0.hasPrefix("arn:") }
        guard !names.isEmpty else { return references }
        let found: [ELBv2TargetGroup]
        do { found = try await elb.targetGroups(names: names) } catch {
            throw PluginError.notFound("target groups \(names.joined(separator: ", ")): \(error)")
        }
        return try references.map { reference throws(PluginError) in
            if reference.hasPrefix("arn:") { return reference }
            guard let group = found.first(where: { $0.name == reference }) else { throw PluginError.notFound("no target group named \(reference)") }
            return group.arn
        }
    }

    /// BlockTraffic: deregister from every group it is in, then wait until none still drains it.
    func block() async throws(PluginError) {
        // Only where it is registered: ELBv2 refuses to deregister an unknown target (InvalidTarget),
        // and a detached Auto Scaling group has already deregistered its instances.
        try await perform("deregistering from") { [elb, target, instanceId] group throws in
            let registered = try await elb.targetHealth(targetGroupArn: group, targets: [target])
                .contains { $0.target.id == instanceId && !$0.isDeregistered }
            if registered { try await elb.deregisterTargets(targetGroupArn: group, targets: [target]) }
        }
        try await wait(for: "deregistration", limit: settings.deregistrationLimit) { health in
            health.isDeregistered
        }
    }

    /// AllowTraffic: register in every group, then wait until every group reports it healthy.
    func allow() async throws(PluginError) {
        try await perform("registering with") { group throws in
            try await elb.registerTargets(targetGroupArn: group, targets: [target])
        }
        try await wait(for: "health", limit: settings.healthyLimit) { health in
            health.state == "healthy"
        }
    }

    private func perform(_ verb: String, _ change: @Sendable (String) async throws -> Void) async throws(PluginError) {
        for group in targetGroupArns {
            emit("\(verb) \(Self.shortName(group))")
            do { try await change(group) } catch {
                throw PluginError.failed("\(verb) \(Self.shortName(group)): \(error)")
            }
        }
    }

    /// Polls DescribeTargetHealth for this target in every group until `done` holds in all of
    /// them; past `limit` the last state seen is the error.
    private func wait(for what: String, limit: Duration, _ done: @Sendable (ELBv2TargetHealth) -> Bool) async throws(PluginError) {
        let deadline = ContinuousClock.now + limit
        var pending = targetGroupArns
        var lastSeen: [String: String] = [:]
        while true {
            var still: [String] = []
            for group in pending {
                let rows: [ELBv2TargetHealth]
                do { rows = try await elb.targetHealth(targetGroupArn: group, targets: [target]) } catch {
                    throw PluginError.failed("reading target health in \(Self.shortName(group)): \(error)")
                }
                // A target never registered may be left out of the answer: that is deregistered too.
                let row = rows.first { $0.target.id == instanceId }
                    ?? ELBv2TargetHealth(target: target, state: "unused", reason: "Target.NotRegistered", description: nil)
                if !done(row) {
                    still.append(group)
                    lastSeen[group] = row.state + (row.reason.map { " (\($0))" } ?? "")
                }
            }
            pending = still
            if pending.isEmpty { return }
            if isCancelled() { throw PluginError.cancelled() }
            guard ContinuousClock.now < deadline else {
                let states = pending.map { "\(Self.shortName($0)): \(lastSeen[$0] ?? "?")" }.joined(separator: ", ")
                throw PluginError.failed("\(instanceId): \(what) not reached within \(limit.components.seconds) s; \(states)")
            }
            try? await Task.sleep(for: settings.poll)
        }
    }

    /// `targetgroup/web/0123…` of an ARN, for messages.
    static func shortName(_ arn: String) -> String {
        guard let range = arn.range(of: "targetgroup/") else { return arn }
        let rest = arn[range.upperBound...]
        return String(rest.split(separator: "/").first ?? Substring(rest))
    }
}
