import Foundation
import SlipwayAWS
import SlipwayHost
import SlipwayPluginKit

/// Wires `with.loadBalancer` into one host's lifecycle: with it, the planner adds CodeDeploy's
/// six traffic events, and the BlockTraffic / AllowTraffic steps call back here. Doing it inside
/// the lifecycle (rather than through the ABI's blockTraffic / allowTraffic around deployHost)
/// keeps CodeDeploy's order: BeforeBlockTraffic runs while the host still serves, AfterBlockTraffic
/// once it has drained, BeforeAllowTraffic before it rejoins.
enum LoadBalancerTraffic {
    /// The host's membership, or nil when the stage has no load balancer.
    static func membership(_ call: PluginCall<EC2Config>, entry: HostEntry) async throws(PluginError) -> TargetGroupMembership? {
        guard let settings = call.config.loadBalancer else { return nil }
        guard let instanceId = instanceId(of: entry) else {
            throw PluginError.invalidConfig("host \(entry.id): with.loadBalancer needs the host's EC2 instance id (give it as instanceId)")
        }
        let elb = ELBv2Client(client: try EC2Discovery.awsClient(call.config))
        let context = call.context
        return TargetGroupMembership(elb: elb, instanceId: instanceId,
                                     targetGroupArns: try await TargetGroupMembership.resolve(settings.targetGroups, elb: elb),
                                     settings: settings, emit: { context.emit(message: $0, host: entry.id) },
                                     isCancelled: { context.isCancelled })
    }

    /// A static host's `instanceId`, else its id when that is an instance id (discovered hosts).
    static func instanceId(of entry: HostEntry) -> String? {
        if let id = entry.instanceId { return id }
        return entry.id.range(of: "^i-[0-9a-f]{8,17}$", options: .regularExpression) != nil ? entry.id : nil
    }
}

extension TargetGroupMembership {
    /// The lifecycle's external steps.
    func handle(_ event: LifecycleEvent) async throws {
        switch event {
        case .blockTraffic: try await block()
        case .allowTraffic: try await allow()
        default: break
        }
    }
}
