import Foundation
import SlipwayPluginKit

/// Target type `asg-bluegreen`: CodeDeploy's blue/green for an Auto Scaling group as the
/// runner's traffic primitives. prepare copies the live (blue) group into a green one, waits for
/// it, and deploys the revision to its instances; setWeight moves traffic (weighted between two
/// target groups, or all at once by registration); promote puts all of it on green; cleanup waits,
/// then terminates or retires blue; abort sends traffic back to blue and removes green.
struct ASGBlueGreen: TrafficPlugin {
    typealias Config = BlueGreenConfig
    static let targetType = "asg-bluegreen"
    static var configSchema: JSONValue { BlueGreenConfig.schema }

    func prepare(_ call: Call, revision: Revision) async throws -> PrepareResult {
        let aws = try BlueGreenAWS(call.config)
        let state = try await BlueGreenState.load(call, aws: aws)
        if call.plan {
            return PrepareResult(candidate: state.greenGroup, plan: planLines(state, call.config.blueGreen))
        }
        let green = GreenFleet(aws: aws, state: state, call: call)
        try await green.create()
        let instances = try await green.waitInService()
        call.context.emit(message: "\(state.greenGroup): \(instances.count) instances InService; deploying \(revision.sha256.prefix(12))")
        try await green.deploy(instances, revision: revision)
        if state.isWeighted, let greenTG = state.greenTargetGroup {
            // Green serves from its own target group: healthy there before it gets any weight.
            let traffic = BlueGreenTraffic(aws: aws, state: BlueGreenState(blueGroup: state.blueGroup, greenGroup: state.greenGroup,
                                                                          trafficGroups: [greenTG], percent: 0),
                                           settings: call.config.blueGreen, context: call.context)
            try await traffic.forEach(instances) { membership throws(PluginError) in try await membership.allow() }
        }
        return PrepareResult(candidate: "Auto Scaling group \(state.greenGroup) (\(instances.count) instances)", state: try JSONValue(encoding: state))
    }

    func setWeight(_ call: Call, percent: Double) async throws -> PluginResult {
        let aws = try BlueGreenAWS(call.config)
        var state = try await BlueGreenState.load(call, aws: aws)
        let share = Int(percent.rounded())
        if call.plan { return PluginResult(plan: ["put \(share)% of the traffic on \(state.greenGroup)"]) }
        // Green's first traffic: its BeforeAllowTraffic hooks run first (CodeDeploy's green Allow*).
        if share > 0 && state.percent == 0 { try await TrafficHooks(call: call).run(.beforeAllowTraffic, onGroup: state.greenGroup) }
        try await BlueGreenTraffic(aws: aws, state: state, settings: call.config.blueGreen, context: call.context).shift(to: share)
        state.percent = share
        return PluginResult(state: try JSONValue(encoding: state))
    }

    /// All traffic on green, then CodeDeploy's order: green AfterAllowTraffic, blue
    /// BeforeBlockTraffic, blue leaves (registration mode), blue AfterBlockTraffic.
    func promote(_ call: Call) async throws -> PluginResult {
        let aws = try BlueGreenAWS(call.config)
        var state = try await BlueGreenState.load(call, aws: aws)
        if call.plan { return PluginResult(plan: ["all traffic on \(state.greenGroup), then \(state.blueGroup) leaves the load balancer"]) }
        let hooks = TrafficHooks(call: call)
        let traffic = BlueGreenTraffic(aws: aws, state: state, settings: call.config.blueGreen, context: call.context)
        if state.percent == 0 { try await hooks.run(.beforeAllowTraffic, onGroup: state.greenGroup) }
        try await traffic.shift(to: 100)
        state.percent = 100
        try await hooks.run(.afterAllowTraffic, onGroup: state.greenGroup)
        try await hooks.run(.beforeBlockTraffic, onGroup: state.blueGroup)
        try await traffic.retireBlue()
        try await hooks.run(.afterBlockTraffic, onGroup: state.blueGroup)
        return PluginResult(state: try JSONValue(encoding: state))
    }

    func cleanup(_ call: Call) async throws -> PluginResult {
        let aws = try BlueGreenAWS(call.config)
        let state = try await BlueGreenState.load(call, aws: aws)
        let settings = call.config.blueGreen
        if call.plan {
            return PluginResult(plan: ["after \(settings.blueWait.components.seconds) s, \(settings.terminatesBlue ? "delete" : "retire (keep running)") \(state.blueGroup)"])
        }
        try await waitBeforeBlue(settings.blueWait, group: state.blueGroup, context: call.context)
        guard let blue = try await aws.group(state.blueGroup) else { return PluginResult() }
        do {
            // Out of every target group first: neither deleting nor retiring may leave blue serving.
            try await aws.asg.detachTargetGroups(blue.targetGroupARNs, fromGroup: blue.name)
            if settings.terminatesBlue {
                try await aws.asg.deleteGroup(blue.name)
                call.context.emit(message: "deleted \(blue.name) and its \(blue.instances.count) instances")
            } else {
                try await aws.asg.setTags([BlueGreenState.retiredTag: call.deploymentId], onGroup: blue.name)
                call.context.emit(message: "kept \(blue.name) running, out of the load balancer, tagged \(BlueGreenState.retiredTag)")
            }
        } catch {
            throw PluginError.failed("cleaning up \(blue.name): \(error)")
        }
        return PluginResult()
    }

    func abort(_ call: Call) async throws -> PluginResult {
        let aws = try BlueGreenAWS(call.config)
        let state: BlueGreenState
        do throws(PluginError) {
            state = try await BlueGreenState.load(call, aws: aws)
        } catch {
            guard error.code == "notFound" else { throw error }
            // No live blue group. Without a green one there is nothing to undo; with one, green
            // is all that serves and must stay.
            let green = call.config.hosts.discover.flatMap(\.autoScalingGroup)
                .map { BlueGreenState.greenName(base: $0, deploymentId: call.deploymentId) }
            if let green, try await aws.group(green) != nil {
                throw PluginError.failed("\(error.message): traffic stays on \(green)")
            }
            call.context.emit(level: .warning, message: "abort: \(error.message); nothing to undo")
            return PluginResult()
        }
        if call.plan { return PluginResult(plan: ["send all traffic back to \(state.blueGroup)", "remove \(state.greenGroup)"]) }
        if try await aws.group(state.blueGroup) != nil {
            // Traffic reached green: the reverse of a shift, hooks included (blue Allow*, green Block*).
            let hooks = TrafficHooks(call: call)
            if state.percent > 0 {
                await hooks.runReporting(.beforeBlockTraffic, onGroup: state.greenGroup)
                await hooks.runReporting(.beforeAllowTraffic, onGroup: state.blueGroup)
            }
            try await BlueGreenTraffic(aws: aws, state: state, settings: call.config.blueGreen, context: call.context).restoreBlue()
            if state.percent > 0 {
                await hooks.runReporting(.afterAllowTraffic, onGroup: state.blueGroup)
                await hooks.runReporting(.afterBlockTraffic, onGroup: state.greenGroup)
            }
        } else if try await aws.group(state.greenGroup) != nil {
            throw PluginError.failed("\(state.blueGroup) no longer exists: traffic stays on \(state.greenGroup)")
        }
        try await GreenFleet(aws: aws, state: state, call: call).remove()
        var restored = state
        restored.percent = 0
        return PluginResult(state: try JSONValue(encoding: restored))
    }

    private func waitBeforeBlue(_ wait: Duration, group: String, context: PluginContext) async throws(PluginError) {
        guard wait > .zero else { return }
        context.emit(message: "waiting \(wait.components.seconds) s before acting on \(group)")
        let end = ContinuousClock.now + wait
        while ContinuousClock.now < end {
            if context.isCancelled { throw PluginError.cancelled() }
            try? await Task.sleep(for: min(.seconds(1), end - ContinuousClock.now))
        }
    }

    private func planLines(_ state: BlueGreenState, _ settings: BlueGreenSettings) -> [String] {
        var lines = ["copy Auto Scaling group \(state.blueGroup) into \(state.greenGroup), wait until InService, deploy to its instances"]
        if let blueTG = state.blueTargetGroup, let greenTG = state.greenTargetGroup {
            lines.append("shift \(settings.rule ?? settings.listener ?? "the listener") from \(TargetGroupMembership.shortName(blueTG)) to \(TargetGroupMembership.shortName(greenTG))")
        } else {
            lines.append("register green in \(state.trafficGroups.map(TargetGroupMembership.shortName).joined(separator: ", ")), then deregister blue")
        }
        lines.append("then \(settings.terminatesBlue ? "delete" : "keep") \(state.blueGroup)")
        return lines
    }
}
