import Foundation
import SlipwayHost
import SlipwayPluginKit

/// Target type `ec2`: CodeDeploy's in-place lifecycle on each host (a static list and/or
/// instances discovered by tag or Auto Scaling group), through the host's transport. The runner
/// picks batches, orders hosts and rolls back.
struct EC2Fleet: EC2FleetTarget {
    typealias Config = EC2Config
    static let targetType = "ec2"
}

/// Target type `asg`: the same lifecycle on the instances of `with.discover.autoScalingGroup`.
struct ASGFleet: EC2FleetTarget {
    typealias Config = EC2Config
    static let targetType = "asg"
}

/// The shared implementation of `ec2` and `asg`; they differ only in what `with:` must give.
protocol EC2FleetTarget: FleetPlugin where Config == EC2Config {}

extension EC2FleetTarget {
    static var configSchema: JSONValue { EC2Config.schema }

    func discover(_ call: Call) async throws -> DiscoverResult {
        // Every host is asked at once (a round trip each: a process, an ssh command or an SSM
        // command), not one after another; the list keeps the stage's order.
        let found = try await EC2Discovery.hosts(call.config, targetType: Self.targetType)
        let hosts = try await withThrowingTaskGroup(of: (Int, FleetHost).self) { tasks in
            for (index, host) in found.enumerated() {
                let (transport, layout) = try HostConnector.connect(host.entry, config: call.config)
                let deployment = hostDeployment(call, entry: host.entry, transport: transport, layout: layout)
                tasks.addTask {
                    // The host's records tell which revision it runs; deployHost plans from the
                    // same read (HostRecordsCache) instead of asking the host again.
                    let records: HostRecords
                    do throws(HostDeploymentError) { records = try await deployment.readRecords() } catch {
                        throw PluginError.failed("\(transport.description): cannot read the last install: \(error.message)")
                    }
                    HostRecordsCache.shared.store(records, for: deployment)
                    return (index, FleetHost(id: host.entry.id, revision: records.lastSuccessfulRevision, healthy: host.healthy))
                }
            }
            var hosts: [(Int, FleetHost)] = []
            for try await host in tasks { hosts.append(host) }
            return hosts.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return DiscoverResult(hosts: hosts, plan: call.plan ? ["read each host's last successful install"] : nil)
    }

    func deployHost(_ call: Call, host: FleetHost, revision: Revision, previousRevision: Revision?) async throws -> PluginResult {
        guard let entry = try await EC2Discovery.hosts(call.config, targetType: Self.targetType)
            .first(where: { $0.entry.id == host.id })?.entry else {
            throw PluginError.notFound("host \(host.id) is neither in with.hosts nor discovered")
        }
        let (transport, layout) = try HostConnector.connect(entry, config: call.config)
        let membership = try await LoadBalancerTraffic.membership(call, entry: entry)
        // Every host of the deployment plans from one unpacked copy (see UnpackedRevisionCache).
        let lease: UnpackedRevisionCache.Lease
        do {
            lease = try await UnpackedRevisionCache.shared.lease(archive: revision.archive, format: revision.format, sha256: revision.sha256)
        } catch {
            throw PluginError.failed(error.message)
        }
        defer { lease.release() }
        let bundle = lease.revision.bundle
        let appSpec = lease.revision.appSpec
        for warning in lease.revision.warnings { call.context.emit(level: .warning, message: warning, host: host.id) }
        let deployment = hostDeployment(call, entry: entry, transport: transport, layout: layout, revision: revision,
                                         loadBalancer: membership != nil)
        let records = HostRecordsCache.shared.take(for: deployment)
        do {
            if call.plan {
                let plan = try await deployment.plan(bundle: bundle, appSpec: appSpec, records: records)
                return PluginResult(plan: plan.summary.map { "\(host.id) \($0)" })
            }
            let context = call.context
            let id = host.id
            try await CancellationWatch.run(isCancelled: { context.isCancelled }) { () async throws(HostDeploymentError) in
                try await deployment.deploy(bundle: bundle, appSpec: appSpec, observer: .init(
                line: { event, stream, line in
                    context.emit(level: stream == .stderr ? .warning : .info, message: line, host: id,
                                 fields: ["event": event.rawValue, "stream": stream.rawValue])
                },
                eventStarted: { planned in
                    let source = planned.fromPreviousRevision ? " (scripts of the last successful revision)" : ""
                    context.emit(message: planned.event.rawValue + source, host: id, fields: ["event": planned.event.rawValue])
                },
                warning: { text in context.emit(level: .warning, message: text, host: id) },
                traffic: { event in try await membership?.handle(event) },
                isCancelled: { context.isCancelled }), records: records)
            }
        } catch {
            if error.message == "cancelled" { throw PluginError.cancelled() }
            throw PluginError.failed(error.description)
        }
        return PluginResult()
    }

    func groupName(_ call: Call) -> String { call.config.deploymentGroup ?? call.stage }

    /// The on-host folder name of the deployment group (CodeDeploy uses the group's UUID).
    func groupId(_ call: Call) -> String {
        DeploymentIdentity.groupFolder(forGroupName: groupName(call))
    }

    /// How this stage deploys to one host: its identity, hook environment and options.
    func hostDeployment(_ call: Call, entry: HostEntry, transport: any HostTransport, layout: HostLayout,
                        revision: Revision? = nil, loadBalancer: Bool = false) -> HostDeployment {
        var hookEnvironment = call.config.env ?? [:]
        hookEnvironment.merge(entry.env ?? [:]) { _, host in host }
        // Any host whose root is a folder (local, or a remote one shared by several test hosts)
        // tells its hooks where "/" is.
        if !layout.fileSystemRoot.isEmpty { hookEnvironment["SLIPWAY_HOST_ROOT"] = layout.fileSystemRoot }
        return HostDeployment(
            transport: transport, layout: layout,
            identity: DeploymentIdentity(deploymentId: call.deploymentId, applicationName: call.config.application ?? call.stage,
                                         deploymentGroupName: groupName(call), deploymentGroupId: groupId(call),
                                         bundleEnvironment: DeploymentIdentity.bundleEnvironment(location: revision?.location)),
            hookEnvironment: hookEnvironment,
            fileExistsOverride: call.config.fileExistsBehavior.flatMap(FileExistsBehavior.init(rawValue:)),
            loadBalancer: loadBalancer, revisionLabel: revision?.sha256)
    }
}
