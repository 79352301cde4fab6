import Foundation
import SlipwayHost
import SlipwayPluginKit

/// Runs one traffic event's appspec hooks on every instance of an Auto Scaling group, from what
/// each host last installed: blue/green's BeforeAllowTraffic / AfterAllowTraffic on green,
/// BeforeBlockTraffic / AfterBlockTraffic on blue (the other way round on a rollback). Hosts are
/// found and reached as the `asg` fleet target finds and reaches them.
struct TrafficHooks: Sendable {
    var call: ASGBlueGreen.Call

    /// Runs `event` on every host of `group` at once; every failure is reported together.
    func run(_ event: LifecycleEvent, onGroup group: String) async throws(PluginError) {
        var config = call.config.hosts
        config.discover = DiscoverySettings(tags: nil, autoScalingGroup: group)
        config.hosts = nil
        config.loadBalancer = nil
        let fleetCall = call.replacingConfig(config, raw: call.rawConfig)
        let entries: [HostEntry]
        do throws(PluginError) {
            entries = try await EC2Discovery.hosts(config, targetType: ASGFleet.targetType).map(\.entry)
        } catch {
            // A group that is gone or empty has no hosts to run hooks on.
            if error.code == "notFound" { return }
            throw error
        }
        let identity = DeploymentIdentity(deploymentId: call.deploymentId, applicationName: config.application ?? call.stage,
                                          deploymentGroupName: ASGFleet().groupName(fleetCall), deploymentGroupId: ASGFleet().groupId(fleetCall))
        let context = call.context
        let hostsConfig = config
        let failures = await withTaskGroup(of: String?.self) { tasks in
            for entry in entries {
                tasks.addTask {
                    do {
                        let (transport, layout) = try HostConnector.connect(entry, config: hostsConfig)
                        var environment = hostsConfig.env ?? [:]
                        environment.merge(entry.env ?? [:]) { _, host in host }
                        if !layout.fileSystemRoot.isEmpty { environment["SLIPWAY_HOST_ROOT"] = layout.fileSystemRoot }
                        let deployment = HostDeployment(transport: transport, layout: layout, identity: identity, hookEnvironment: environment)
                        let id = entry.id
                        try await deployment.runInstalledHooks(event, observer: .init(
                            line: { event, stream, line in
                                context.emit(level: stream == .stderr ? .warning : .info, message: line, host: id,
                                             fields: ["event": event.rawValue, "stream": stream.rawValue])
                            },
                            eventStarted: { planned in context.emit(message: planned.event.rawValue, host: id, fields: ["event": planned.event.rawValue]) },
                            warning: { text in context.emit(level: .warning, message: text, host: id) },
                            isCancelled: { context.isCancelled }))
                        return nil
                    } catch let error as PluginError {
                        return "\(entry.id): \(error.message)"
                    } catch {
                        return "\(entry.id): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in tasks { if let failure { failures.append(failure) } }
            return failures.sorted()
        }
        guard failures.isEmpty else { throw PluginError.failed("\(event.rawValue) on \(group): " + failures.joined(separator: "; ")) }
    }

    /// For a rollback: a failing hook is reported, not fatal (getting traffic back comes first).
    func runReporting(_ event: LifecycleEvent, onGroup group: String) async {
        do throws(PluginError) { try await run(event, onGroup: group) } catch {
            call.context.emit(level: .warning, message: error.message)
        }
    }
}
