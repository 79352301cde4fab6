import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// The green side of a blue/green deployment: a copy of the blue group (launch template or
/// configuration, sizes, subnets, health check, target groups), waited for until every instance
/// is InService, then deployed host by host through the `asg` fleet target — the same lifecycle
/// and transports as an in-place deployment.
struct GreenFleet: Sendable {
    var aws: BlueGreenAWS
    var state: BlueGreenState
    var call: ASGBlueGreen.Call

    /// Creates the green group unless an earlier attempt of this deployment already did.
    func create() async throws(PluginError) {
        guard try await aws.group(state.greenGroup) == nil else {
            call.context.emit(message: "green group \(state.greenGroup) exists already (a retried prepare): reusing it")
            return
        }
        guard let blue = try await aws.group(state.blueGroup) else { throw PluginError.notFound("no Auto Scaling group \(state.blueGroup)") }
        guard blue.desiredCapacity > 0 else { throw PluginError.failed("\(blue.name) has no instances to copy (desired capacity 0)") }
        // Weighted: green registers in the other target group of the pair (no traffic yet).
        // Registration: green stays out of the traffic groups until the shift.
        var targetGroups = blue.targetGroupARNs.filter { $0 != state.blueTargetGroup && !state.trafficGroups.contains($0) }
        if let greenTG = state.greenTargetGroup { targetGroups.append(greenTG) }
        let base = call.config.hosts.discover?.autoScalingGroup ?? blue.name
        call.context.emit(message: "copying \(blue.name) (\(blue.desiredCapacity) instances) into \(state.greenGroup)")
        do {
            try await aws.asg.createGroup(state.greenGroup, copying: blue, targetGroupARNs: targetGroups,
                                          tags: [BlueGreenState.lineageTag: base, "slipway:deployment": call.deploymentId])
        } catch {
            throw PluginError.failed("creating \(state.greenGroup): \(error)")
        }
    }

    /// Waits until the green group has its desired number of InService, Healthy instances.
    func waitInService() async throws(PluginError) -> [String] {
        let limit = call.config.blueGreen.greenReadyLimit
        let deadline = ContinuousClock.now + limit
        let poll = call.config.blueGreen.membershipSettings.poll
        while true {
            guard let green = try await aws.group(state.greenGroup) else { throw PluginError.failed("\(state.greenGroup) disappeared") }
            let ready = green.instances.filter(\.isHealthyInService)
            if ready.count >= green.desiredCapacity, green.desiredCapacity > 0 {
                return ready.map(\.instanceId)
            }
            if call.context.isCancelled { throw PluginError.cancelled() }
            guard ContinuousClock.now < deadline else {
                throw PluginError.failed("\(state.greenGroup): \(ready.count) of \(green.desiredCapacity) instances InService after \(limit.components.seconds) s")
            }
            try? await Task.sleep(for: poll)
        }
    }

    /// Deploys the revision to every green instance at once through the fleet target; every
    /// one must succeed (green takes all the traffic in the end).
    func deploy(_ instances: [String], revision: Revision) async throws(PluginError) {
        var hosts = call.config.hosts
        hosts.discover = DiscoverySettings(tags: nil, autoScalingGroup: state.greenGroup)
        hosts.hosts = nil
        hosts.loadBalancer = nil
        let fleetCall = call.replacingConfig(hosts, raw: call.rawConfig)
        let failures = await withTaskGroup(of: String?.self) { group in
            for id in instances {
                group.addTask {
                    do {
                        _ = try await ASGFleet().deployHost(fleetCall, host: FleetHost(id: id, healthy: true), revision: revision, previousRevision: nil)
                        return nil
                    } catch let error as PluginError {
                        return "\(id): \(error.message)"
                    } catch {
                        return "\(id): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted()
        }
        if call.context.isCancelled { throw PluginError.cancelled() }
        guard failures.isEmpty else {
            throw PluginError.failed("green instances failed: " + failures.joined(separator: "; "))
        }
    }

    /// Removes the green group: out of every target group first (deleting a group does not
    /// wait for its targets to drain), then deleted with its instances.
    func remove() async throws(PluginError) {
        guard let green = try await aws.group(state.greenGroup) else { return }
        do {
            try await aws.asg.detachTargetGroups(green.targetGroupARNs, fromGroup: green.name)
            // Detaching deregisters on AWS; make sure of it (ELBv2 refuses to deregister a target
            // that is not registered, so only those still there).
            let ids = Set(green.instances.map(\.instanceId))
            for arn in green.targetGroupARNs {
                let left = try await aws.elb.targetHealth(targetGroupArn: arn).filter { ids.contains($0.target.id) }.map(\.target)
                try await aws.elb.deregisterTargets(targetGroupArn: arn, targets: left)
            }
            try await aws.asg.deleteGroup(green.name)
        } catch {
            throw PluginError.failed("removing \(green.name): \(error)")
        }
        call.context.emit(message: "removed \(green.name) and its \(green.instances.count) instances")
    }
}
