import Foundation
import SlipwayAWS
import SlipwayEvents
import SlipwayYAML

/// Deploys one stage of a pipeline: lock ▸ plan ▸ rollout engine ▸ record ▸ unlock, with every
/// step journaled (locally and in the store) so a killed run can be resumed or rolled back.
public struct StageDeployer: Sendable {
    public var pipeline: Pipeline
    public var store: any ArtifactStore
    public var registry: PluginRegistry
    public var sink: any EventSink
    public var environment: [String: String]
    public var isCancelled: @Sendable () -> Bool
    /// How long to wait for another runner's lock on the stage.
    public var lockWait: Duration
    public var workDirectory: String

    public init(pipeline: Pipeline, store: any ArtifactStore, registry: PluginRegistry, sink: any EventSink,
                environment: [String: String], isCancelled: @escaping @Sendable () -> Bool, lockWait: Duration = .zero,
                workDirectory: String? = nil) {
        self.pipeline = pipeline
        self.store = store
        self.registry = registry
        self.sink = sink
        self.environment = environment
        self.isCancelled = isCancelled
        self.lockWait = lockWait
        self.workDirectory = workDirectory ?? pipeline.root + "/.slipway"
    }

    // MARK: Checks before anything changes

    /// Every problem that would stop a stage, found before the run builds or changes anything:
    /// no plugin for a type, a pinned version not matched, a strategy the plugin's primitives
    /// cannot run, `with:` settings its schema refuses (at their positions in the pipeline).
    public static func check(_ pipeline: Pipeline, stages: [Stage], registry: PluginRegistry, pins: [String: VersionRange] = [:]) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        do { try registry.verify(pins: pins) } catch {
            problems.append(Diagnostic(file: pipeline.file, mark: nil, message: error.description))
        }
        for stage in stages {
            let path = FieldPath.root.appending("stages").appending(pipeline.stages.firstIndex { $0.name == stage.name } ?? 0)
            let plugin: LoadedPlugin
            do { plugin = try registry.plugin(for: stage.type) } catch {
                problems.append(Diagnostic(file: pipeline.file, mark: stage.mark, path: path.appending("type"), message: error.description))
                continue
            }
            guard let target = plugin.manifest.targetType(stage.type) else { continue }
            switch (stage.strategy?.config, target.primitives) {
            case (.fleet?, .traffic), (.traffic?, .fleet):
                problems.append(Diagnostic(file: pipeline.file, mark: stage.mark, path: path.appending("strategy"),
                                           message: "\(stage.strategy?.name ?? "this strategy") does not fit target type \(stage.type), whose plugin \(plugin.manifest.name) \(target.primitives == .fleet ? "deploys hosts in place" : "shifts traffic")"))
            default:
                break
            }
            for violation in JSONSchemaValidator(schema: target.configSchema).validate(stage.with, root: "with") {
                let node = stage.withNode.flatMap { locate(violation.components, in: $0) }
                problems.append(Diagnostic(file: pipeline.file, mark: node?.mark ?? stage.withNode?.mark ?? stage.mark,
                                           path: path.appending("with").appending(components: violation.components),
                                           message: violation.message))
            }
        }
        return problems
    }

    /// The YAML node a schema violation points at, for its line:column.
    static func locate(_ components: [SchemaViolation.PathComponent], in node: Node) -> Node? {
        var current = node
        for component in components {
            switch component {
            case .key(let key):
                guard let next = current.mapping?.first(where: { $0.key.scalar == key }) else { return current }
                current = next.value
            case .index(let index):
                guard let items = current.sequence, items.indices.contains(index) else { return current }
                current = items[index]
            }
        }
        return current
    }

    // MARK: Deploying

    public struct Outcome: Sendable {
        public var record: DeploymentRecord?
        public var status: RolloutResult.Status
        public var message: String
        /// What plugins said they would do, in dry-run mode.
        public var plan: [String]
    }

    public func deploy(_ stage: Stage, revision: RevisionMetadata, archive: String, dryRun: Bool = false,
                       reason: String? = nil, rollbackOf: DeploymentID? = nil) async throws(DeployError) -> Outcome {
        let plugin: LoadedPlugin
        do { plugin = try registry.plugin(for: stage.type) } catch { throw .setup(error.description) }
        guard let target = plugin.manifest.targetType(stage.type) else { throw .setup("\(plugin.path) does not serve \(stage.type)") }
        let config = resolveRevision(in: stage.with, sha256: revision.sha256)
        let revisionRef = RevisionRef(sha256: revision.sha256, format: revision.format.rawValue, archive: archive,
                                      location: store.location + "/" + revision.key)
        let scope = "stage/\(stage.name)"

        if dryRun {
            let primitives = PluginPrimitives(plugin: plugin, targetType: target, deploymentId: .random(), stage: stage.name,
                                              config: config, plan: true, sink: sink, isCancelled: isCancelled, onState: { _ in })
            var lines: [String] = []
            do {
                if target.primitives == .fleet {
                    let hosts = try await primitives.discover()
                    lines.append("\(hosts.count) host\(hosts.count == 1 ? "" : "s"): \(hosts.map(\.id).joined(separator: ", "))")
                    let minimum = fleetMinimum(stage)
                    if let plan = try? FleetPlan.make(minimum, hostCount: hosts.count) { lines += plan.describe() }
                    if let first = hosts.first { try await primitives.deployHost(first, revision: revisionRef, previous: nil) }
                } else {
                    _ = try await primitives.prepare(revisionRef)
                    lines.append("traffic: " + TrafficPlan.make(trafficShift(stage)).describe())
                }
            } catch {
                throw .setup("\(stage.name): \(error.message)")
            }
            return Outcome(record: nil, status: .succeeded, message: "dry run: nothing changed", plan: lines + primitives.reportedPlan)
        }

        let deployments = DeploymentStore(store: store)
        let id = DeploymentID.random()
        let lease: LockLease
        do {
            lease = try await StageLock(store: store).acquire(pipeline: pipeline.name, stage: stage.name, deploymentId: id, wait: lockWait) { loss in
                sink.emit(.error("lost the lock of stage \(stage.name): \(loss)", scope: scope))
            }
        } catch {
            throw .locked(error.description)
        }
        do throws(DeployError) {
            let stored: StoredRecord
            let journal: Journal
            do {
                stored = try await deployments.begin(id: id, pipeline: pipeline.name, stage: stage.name, targetType: stage.type,
                                                     revision: revision.sha256, reason: reason, rollbackOf: rollbackOf)
                journal = try await Journal.open(id: id, pipeline: pipeline.name, workdir: workDirectory, store: store)
                _ = try await journal.append(.started, ["stage": .string(stage.name), "revision": .string(revision.sha256)])
            } catch {
                throw DeployError.state("\(error)")
            }
            sink.emit(.stageStarted(scope: scope, message: "deployment \(id) of \(revision.shortID) with \(plugin.manifest.name) \(plugin.manifest.version)"))
            let outcome = try await execute(stage, id: id, plugin: plugin, target: target, config: config, revisionRef: revisionRef,
                                            stored: stored, journal: journal, deployments: deployments, resume: nil)
            try? await lease.release()
            return outcome
        } catch {
            try? await lease.release()
            throw error
        }
    }

    /// Where a resumed deployment picks up, read back from its journal.
    struct ResumePoint {
        var finishedHosts: [HostOutcome] = []
        var traffic = TrafficRollout.Resume()
        var pluginState: ConfigValue = .null
        var rollingBack = false
        /// Finish by rolling back instead of completing.
        var rollBack = false
    }

    private func execute(_ stage: Stage, id: DeploymentID, plugin: LoadedPlugin, target: PluginManifest.TargetType, config: ConfigValue,
                         revisionRef: RevisionRef, stored initial: StoredRecord, journal: Journal, deployments: DeploymentStore,
                         resume: ResumePoint?) async throws(DeployError) -> Outcome {
        let scope = "stage/\(stage.name)"
        var stored = initial
        let started = ContinuousClock.now
        let previous = await self.revisionRef(sha256: stored.record.previousRevision)
        let recorder = JournalRecorder(journal: journal)
        let primitives = PluginPrimitives(plugin: plugin, targetType: target, deploymentId: id, stage: stage.name, config: config,
                                          plan: false, state: resume?.pluginState ?? .null, sink: sink, isCancelled: isCancelled) { state in
            await recorder.pluginState(state)
        }
        let gates = gateMonitor(stage)
        let result: RolloutResult
        switch target.primitives {
        case .fleet:
            let minimum = fleetMinimum(stage)
            let rollout = FleetRollout(stage: stage.name, minimum: minimum, primitives: primitives, revision: revisionRef,
                                       previous: previous, gates: gates, sink: sink, recorder: recorder, isCancelled: isCancelled,
                                       alreadyFinished: resume?.finishedHosts ?? [])
            do {
                let hosts = try await primitives.discover()
                if let resume, resume.rollBack || resume.rollingBack {
                    let stopped = RolloutResult(status: RolloutResult.Status.failed, message: "rolled back on request after the runner stopped", hosts: resume.finishedHosts)
                    result = await rollout.rollBack(stopped, hosts: hosts)
                } else {
                    let first = await rollout.run(hosts: hosts)
                    result = first.status == .failed ? await rollout.rollBack(first, hosts: hosts) : first
                }
            } catch {
                result = RolloutResult(status: .failed, message: "discover failed: \(error.message)", hosts: [])
            }
        case .traffic:
            let rollout = TrafficRollout(stage: stage.name, plan: TrafficPlan.make(trafficShift(stage)), primitives: primitives,
                                         revision: revisionRef, hooks: stage.hooks, gates: gates, sink: sink, recorder: recorder,
                                         isCancelled: isCancelled)
            if let resume, resume.rollBack || resume.rollingBack {
                result = await rollout.abort(because: .init(message: "rolled back on request after the runner stopped", stopped: false))
            } else {
                result = await rollout.run(resume: resume?.traffic ?? TrafficRollout.Resume())
            }
        }

        var record = stored.record
        for host in result.hosts {
            record.setHost(.init(host: host.host, status: DeploymentRecord.UnitStatus(host.status), message: host.message))
        }
        record.finish(DeploymentRecord.Status(result.status), reason: result.message, at: Date())
        do {
            stored = try await deployments.save(record, replacing: stored.tag)
            _ = try await journal.append(.finished, ["status": .string(result.status.rawValue), "message": .string(result.message)])
        } catch {
            throw .state("\(error)")
        }
        await journal.close()
        sink.emit(.stageFinished(scope: scope, status: result.status == .succeeded ? .succeeded : .failed,
                                 duration: seconds(since: started), message: "\(result.status.rawValue): \(result.message)"))
        return Outcome(record: stored.record, status: result.status, message: result.message, plan: [])
    }

    /// Finishes — or, with `rollBack`, rolls back — a deployment whose runner died: takes over
    /// its lock, replays its journal (hosts done, weights set, the plugin's last state) and
    /// carries on from there.
    public func resume(_ id: DeploymentID, rollBack: Bool) async throws(DeployError) -> Outcome {
        let deployments = DeploymentStore(store: store)
        let found: StoredRecord?
        do { found = try await deployments.load(pipeline: pipeline.name, id: id) } catch { throw .state("\(error)") }
        guard let stored = found else { throw .setup("no deployment \(id) of \(pipeline.name) in \(store.location)") }
        guard stored.record.status == .inProgress else {
            throw .setup("deployment \(id) already ended: \(stored.record.status.rawValue)")
        }
        guard let stage = pipeline.stage(named: stored.record.stage) else {
            throw .setup("deployment \(id) is of stage \(stored.record.stage), which \(pipeline.file) no longer has")
        }
        let plugin: LoadedPlugin
        do { plugin = try registry.plugin(for: stage.type) } catch { throw .setup(error.description) }
        guard let target = plugin.manifest.targetType(stage.type) else { throw .setup("\(plugin.path) does not serve \(stage.type)") }
        guard let revisionRef = await revisionRef(sha256: stored.record.revision) else {
            throw .setup("revision \(stored.record.revision) of deployment \(id) is not in \(store.location)")
        }
        let lease: LockLease
        do {
            lease = try await StageLock(store: store).acquire(pipeline: pipeline.name, stage: stage.name, deploymentId: id,
                                                              wait: lockWait, resuming: true)
        } catch {
            throw .locked(error.description)
        }
        if let previousHolder = lease.tookOverFrom {
            sink.emit(.info("took over the lock of stage \(stage.name) from \(previousHolder.holder)", scope: "stage/\(stage.name)"))
        }
        do throws(DeployError) {
            let entries: [JournalEntry]
            let journal: Journal
            do {
                entries = try await Journal.read(id: id, pipeline: pipeline.name, workdir: workDirectory, store: store)
                journal = try await Journal.open(id: id, pipeline: pipeline.name, workdir: workDirectory, store: store)
            } catch {
                throw DeployError.state(error.description)
            }
            var point = Self.resumePoint(entries)
            point.rollBack = rollBack
            sink.emit(.stageStarted(scope: "stage/\(stage.name)", message: "resuming \(id): \(point.finishedHosts.count) host(s) done" +
                                    (point.traffic.lastWeight.map { ", traffic at \($0)%" } ?? "") + (rollBack ? "; rolling back" : "")))
            let outcome = try await execute(stage, id: id, plugin: plugin, target: target,
                                            config: resolveRevision(in: stage.with, sha256: revisionRef.sha256),
                                            revisionRef: revisionRef, stored: stored, journal: journal, deployments: deployments, resume: point)
            try? await lease.release()
            return outcome
        } catch {
            try? await lease.release()
            throw error
        }
    }

    static func resumePoint(_ entries: [JournalEntry]) -> ResumePoint {
        var point = ResumePoint()
        for entry in entries {
            switch entry.kind {
            case .hostFinished:
                if let host = entry.data["host"]?.stringValue,
                   let status = entry.data["status"]?.stringValue.flatMap(HostOutcome.Status.init(rawValue:)) {
                    point.finishedHosts.removeAll { $0.host == host }
                    point.finishedHosts.append(HostOutcome(host: host, status: status, message: entry.data["message"]?.stringValue ?? ""))
                }
            case .weight:
                point.traffic.lastWeight = entry.data["percent"]?.intValue
            case .stepFinished:
                if entry.data["phase"]?.stringValue == "prepared" { point.traffic.prepared = true }
                if entry.data["phase"]?.stringValue == "testTrafficAllowed" { point.traffic.testTrafficAllowed = true }
                if entry.data["phase"]?.stringValue == "promoted" { point.traffic.promoted = true }
            case .rollbackStarted:
                point.rollingBack = true
            case .pluginState:
                point.pluginState = entry.data
            default:
                break
            }
        }
        return point
    }

    /// A stored revision as a plugin receives it: the local archive when this machine still has
    /// it, else a copy downloaded from the store.
    func revisionRef(sha256: String?) async -> RevisionRef? {
        guard let sha256 else { return nil }
        let metadataKey = RevisionLayout.metadataKey(pipeline: pipeline.name, sha256: sha256)
        guard let (data, _) = try? await store.get(metadataKey),
              let metadata = try? RevisionJSON.decoder.decode(RevisionMetadata.self, from: data),
              let local = try? await localArchive(of: metadata) else { return nil }
        return RevisionRef(sha256: sha256, format: metadata.format.rawValue, archive: local, location: store.location + "/" + metadata.key)
    }

    /// A stored revision's archive on this machine: the local copy in `.slipway/revisions`, else
    /// downloaded there from the store.
    public func localArchive(of metadata: RevisionMetadata) async throws(StoreError) -> String {
        let local = workDirectory + "/revisions/\(metadata.sha256).\(metadata.format.fileExtension)"
        if !FileManager.default.fileExists(atPath: local) {
            try? FileManager.default.createDirectory(atPath: workDirectory + "/revisions", withIntermediateDirectories: true)
            try await store.getFile(metadata.key, to: local)
        }
        return local
    }

    /// The stage's minimum healthy hosts; CodeDeploy's default is OneAtATime.
    func fleetMinimum(_ stage: Stage) -> MinimumHealthyHosts {
        if case .fleet(let minimum)? = stage.strategy?.config { return minimum }
        return .allButOne
    }

    func trafficShift(_ stage: Stage) -> TrafficShift {
        if case .traffic(let shift)? = stage.strategy?.config { return shift }
        return .allAtOnce
    }

    func gateMonitor(_ stage: Stage) -> GateMonitor? {
        guard !stage.gates.isEmpty else { return nil }
        let cloudWatch = try? CloudWatchClient(client: AWSClient.standard(environment: AWSEnvironment(
            variables: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory())))
        return GateMonitor(gates: stage.gates.map { gate in
            let probe: any GateProbe
            switch gate.check {
            case .alarm(let name):
                probe = AlarmProbe(name: name, reader: CloudWatchAlarms(client: cloudWatch))
            case .http(let url, let status, let body):
                probe = HTTPProbe(url: url, status: status, body: body, timeout: gate.timeout)
            case .command(let run):
                probe = CommandProbe(run: run, directory: pipeline.root, environment: environment, timeout: gate.timeout)
            }
            return GateMonitor.Watched(name: gate.name, probe: probe, interval: gate.interval, failureBudget: gate.failureBudget)
        })
    }

    /// Stage settings with `${{ revision.sha256 }}` filled in, now that the revision exists.
    func resolveRevision(in value: ConfigValue, sha256: String) -> ConfigValue {
        switch value {
        case .string(let text):
            let context = InterpolationContext(environment: [:], revisionSHA256: sha256)
            return .string(Interpolation.resolve(text, in: context) { _ in })
        case .array(let items): return .array(items.map { resolveRevision(in: $0, sha256: sha256) })
        case .object(let fields): return .object(fields.mapValues { resolveRevision(in: $0, sha256: sha256) })
        default: return value
        }
    }
}

/// Alarm states through the CloudWatch API.
struct CloudWatchAlarms: AlarmStateReader {
    let client: CloudWatchClient?

    func state(ofAlarm name: String) async throws -> String {
        guard let client else { throw PrimitiveError(message: "no AWS configuration to read alarms with") }
        return try await client.alarmState(name)
    }
}

/// The engine's progress, appended to the deployment's journal.
final class JournalRecorder: RolloutRecorder {
    let journal: Journal

    init(journal: Journal) {
        self.journal = journal
    }

    func hostFinished(_ outcome: HostOutcome) async {
        _ = try? await journal.append(.hostFinished, ["host": .string(outcome.host), "status": .string(outcome.status.rawValue),
                                                      "message": .string(outcome.message)])
    }

    func weightSet(_ percent: Int) async {
        _ = try? await journal.append(.weight, ["percent": .number(Double(percent))])
    }

    func phase(_ name: String) async {
        _ = try? await journal.append(name == "rollbackStarted" ? .rollbackStarted : .stepFinished, ["phase": .string(name)])
    }

    func pluginState(_ state: ConfigValue) async {
        _ = try? await journal.append(.pluginState, state)
    }
}

public enum DeployError: Error, Sendable, CustomStringConvertible {
    case setup(String)
    case locked(String)
    case state(String)

    public var description: String {
        switch self {
        case .setup(let message), .locked(let message), .state(let message): message
        }
    }
}

extension DeploymentRecord.UnitStatus {
    init(_ status: HostOutcome.Status) {
        switch status {
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .skipped: self = .skipped
        }
    }
}

extension DeploymentRecord.Status {
    init(_ status: RolloutResult.Status) {
        switch status {
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .rolledBack: self = .rolledBack
        case .stopped: self = .stopped
        }
    }
}

extension FieldPath {
    func appending(components: [SchemaViolation.PathComponent]) -> FieldPath {
        components.reduce(self) { path, component in
            switch component {
            case .key(let key): path.appending(key)
            case .index(let index): path.appending(index)
            }
        }
    }
}
