import Foundation
import SlipwayProcess
import Synchronization

/// Why a host's deployment stopped.
public struct HostDeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var event: LifecycleEvent?
    public var message: String

    public init(event: LifecycleEvent?, message: String) {
        self.event = event
        self.message = message
    }

    public var description: String { event.map { "\($0.rawValue): \(message)" } ?? message }
}

/// Runs one host's lifecycle through a transport: reads what earlier deployments left
/// (cleanup manifest, last successful install and its appspec), plans, and executes the plan
/// event by event, writing hook output to the host's `logs/scripts.log`.
public struct HostDeployment: Sendable {
    public var transport: any HostTransport
    public var layout: HostLayout
    public var identity: DeploymentIdentity
    public var hookEnvironment: [String: String]
    public var fileExistsOverride: FileExistsBehavior?
    public var loadBalancer: Bool
    /// Lines of one script's output kept for scripts.log; the rest is counted, not stored.
    public var maxLoggedLines: Int
    /// Written to `<deployment folder>/slipway-revision` so `discover` can tell what a host runs.
    public var revisionLabel: String?
    public static let revisionFile = LifecyclePlanner.revisionFile

    public init(transport: any HostTransport, layout: HostLayout, identity: DeploymentIdentity,
                hookEnvironment: [String: String] = [:], fileExistsOverride: FileExistsBehavior? = nil,
                loadBalancer: Bool = false, maxLoggedLines: Int = 10_000, revisionLabel: String? = nil) {
        self.revisionLabel = revisionLabel
        self.transport = transport
        self.layout = layout
        self.identity = identity
        self.hookEnvironment = hookEnvironment
        self.fileExistsOverride = fileExistsOverride
        self.loadBalancer = loadBalancer
        self.maxLoggedLines = maxLoggedLines
    }

    /// Callbacks while a host deploys: output lines, warnings, and the load balancer work of
    /// BlockTraffic / AllowTraffic.
    public struct Observer: Sendable {
        public var line: @Sendable (LifecycleEvent, ProcessOutputStream, String) -> Void
        public var warning: @Sendable (String) -> Void
        public var traffic: @Sendable (LifecycleEvent) async throws -> Void
        public var isCancelled: @Sendable () -> Bool
        /// An event with something to do is starting.
        public var eventStarted: @Sendable (PlannedEvent) -> Void

        public init(line: @escaping @Sendable (LifecycleEvent, ProcessOutputStream, String) -> Void = { _, _, _ in },
                    eventStarted: @escaping @Sendable (PlannedEvent) -> Void = { _ in },
                    warning: @escaping @Sendable (String) -> Void = { _ in },
                    traffic: @escaping @Sendable (LifecycleEvent) async throws -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false }) {
            self.line = line
            self.warning = warning
            self.traffic = traffic
            self.isCancelled = isCancelled
            self.eventStarted = eventStarted
        }
    }

    /// Plans the deployment of `bundle` on this host (reads the host, changes nothing).
    public func plan(bundle: LocalBundle, appSpec: AppSpec, records: HostRecords? = nil) async throws(HostDeploymentError) -> LifecyclePlan {
        let previous = try await previousInstall(records)
        let planner = LifecyclePlanner(bundle: bundle, appSpec: appSpec, layout: layout, identity: folderIdentity(previous),
                                       previous: previous, loadBalancer: loadBalancer,
                                       fileExistsOverride: fileExistsOverride, hookEnvironment: hookEnvironment,
                                       revisionLabel: revisionLabel)
        do {
            return try planner.plan()
        } catch {
            throw HostDeploymentError(event: nil, message: error.message)
        }
    }

    /// A rollback within one deployment deploys another revision under the same id: it gets a
    /// folder of its own (`<id>-<revision>`) instead of overwriting the failed revision's, while
    /// a retry of the same revision reuses the folder (idempotent).
    func folderIdentity(_ previous: PreviousInstall) -> DeploymentIdentity {
        var identity = identity
        if let label = revisionLabel, let existing = previous.revisionInDeploymentFolder, existing != label {
            identity.folderName = identity.deploymentId + "-" + label.prefix(12)
        }
        return identity
    }

    /// Plans and runs the whole lifecycle; throws at the first failed event. `records`: what
    /// `readRecords` gave moments ago (during discovery), to save the host a round trip.
    public func deploy(bundle: LocalBundle, appSpec: AppSpec, observer: Observer = Observer(),
                       records: HostRecords? = nil) async throws(HostDeploymentError) {
        let previous = try await previousInstall(records)
        let folderIdentity = folderIdentity(previous)
        let planner = LifecyclePlanner(bundle: bundle, appSpec: appSpec, layout: layout, identity: folderIdentity,
                                       previous: previous, loadBalancer: loadBalancer,
                                       fileExistsOverride: fileExistsOverride, hookEnvironment: hookEnvironment,
                                       revisionLabel: revisionLabel)
        let plan: LifecyclePlan
        do { plan = try planner.plan() } catch { throw HostDeploymentError(event: nil, message: error.message) }
        try await execute(plan, observer: observer, log: layout.scriptsLog(identity.deploymentGroupId, folderIdentity.folderName))
    }

    public func execute(_ plan: LifecyclePlan, observer: Observer, log: String) async throws(HostDeploymentError) {
        // scripts.log entries of finished hooks not yet on the host. The next command that runs
        // a hook writes them before it starts (hooks are small scripts, so the command stays
        // small), which saves a command per event; the plan's last run appends what is left
        // once its commands are over (a trailer: over ssh in the same round trip), and a
        // failure writes what is pending.
        var pendingLog = ""
        func fail(_ error: HostDeploymentError) async -> HostDeploymentError {
            if !pendingLog.isEmpty { await appendLog(pendingLog, to: log) }
            return error
        }
        let steps = plan.events.flatMap { planned in planned.steps.map { PlannedStep(planned: planned, step: $0) } }
        let announcer = EventAnnouncer(observer: observer)
        var upload: FileTransfer?
        var next = 0
        while next < steps.count {
            let item = steps[next]
            if observer.isCancelled() { throw await fail(HostDeploymentError(event: item.planned.event, message: "cancelled")) }
            switch item.step {
            case .external:
                announcer.started(item.planned)
                do { try await observer.traffic(item.planned.event) } catch {
                    throw await fail(HostDeploymentError(event: item.planned.event, message: "\(error)"))
                }
                next += 1
            case .upload(let local, let remote):
                announcer.started(item.planned)
                // The commands after an upload (unpack, hooks) go in the same round trip where
                // the transport can (ssh: one client instead of two).
                if next + 1 < steps.count, case .run = steps[next + 1].step {
                    upload = FileTransfer(local: local, remote: remote)
                    next += 1
                    continue
                }
                do { try await transport.upload(local, to: remote) } catch {
                    throw await fail(HostDeploymentError(event: item.planned.event, message: error.description))
                }
                next += 1
            case .run:
                // Consecutive commands go to the host as one batch when the transport streams
                // output (per-command timeouts are enforced from the batch's markers).
                var end = next + 1
                if transport.streamsOutput {
                    while end < steps.count, case .run = steps[end].step { end += 1 }
                }
                let group = Array(steps[next..<end])
                let lastRun = !steps[end...].contains { if case .run = $0.step { true } else { false } }
                let trailer = lastRun && (group.contains(where: \.isHook) || !pendingLog.isEmpty)
                    ? PendingLog(path: log, prior: pendingLog) : nil
                let preamble = trailer == nil && group.contains(where: \.isHook) && !pendingLog.isEmpty
                    ? Self.logPreamble(pendingLog, to: log) : LogPreamble.none
                if trailer != nil || !preamble.script.isEmpty { pendingLog = "" }
                let outcome = group.count == 1
                    ? await runOne(group[0], preamble: preamble, upload: upload, log: trailer, announcer: announcer, observer: observer)
                    : await runBatch(group, preamble: preamble, upload: upload, log: trailer, announcer: announcer, observer: observer)
                upload = nil
                if !outcome.logWritten {
                    pendingLog = (trailer?.prior ?? "") + pendingLog
                        + ScriptsLog.entries(group, outputs: Array(outcome.outputs.prefix(group.count)))
                }
                if let failure = outcome.failure { throw await fail(failure) }
                next = end
            }
        }
        if !pendingLog.isEmpty { await appendLog(pendingLog, to: log) }
    }

    /// One command alone: the transport enforces its timeout.
    private func runOne(_ item: PlannedStep, preamble: LogPreamble, upload: FileTransfer?, log: PendingLog?,
                        announcer: EventAnnouncer, observer: Observer) async -> StepOutcome {
        announcer.started(item.planned)
        var command = item.command
        command.script = preamble.script + command.script
        command.environment.merge(preamble.environment) { own, _ in own }
        let event = item.planned.event
        let collector = LineCollector(limit: maxLoggedLines)
        let trailer = log.map { log in LogTrailer(path: log.path) { log.prior + ScriptsLog.entries([item], outputs: [collector.snapshot()]) } }
        let result: ProcessResult
        do {
            result = try await run(command.script, environment: command.environment, timeout: command.timeout, after: upload,
                                   trailer: trailer) { stream, line in
                collector.add(stream, line)
                observer.line(event, stream, line)
            }
        } catch {
            return StepOutcome(outputs: [], failure: HostDeploymentError(event: event, message: error.description),
                               logWritten: trailer?.wasWritten ?? false)
        }
        let (lines, dropped) = collector.snapshot()
        if result.outputLeftOpen { observer.warning(Self.outputLeftOpenWarning(item)) }
        var failure: String?
        if result.timedOut {
            failure = Self.timeoutMessage(item.command)
        } else if result.cancelled {
            failure = "\(item.command.what) was cancelled"
        } else if !result.succeeded {
            failure = "\(item.command.what) \(result.termination)" + Self.tail(lines)
        }
        return StepOutcome(outputs: [(lines, dropped)], failure: failure.map { HostDeploymentError(event: event, message: $0) },
                           logWritten: trailer?.wasWritten ?? false)
    }

    /// `transport.run`, after copying `upload` to the host when there is one, then the trailer.
    func run(_ script: String, environment: [String: String], timeout: Duration?, after upload: FileTransfer?, trailer: LogTrailer?,
             onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        guard let trailer else { return try await transport.run(script, environment: environment, timeout: timeout, uploading: upload, onLine: onLine) }
        return try await transport.run(script, environment: environment, timeout: timeout, uploading: upload, trailer: trailer, onLine: onLine)
    }

    static func timeoutMessage(_ command: HostCommand) -> String {
        let limit = command.timeout.map { " after \($0.components.seconds) s" } ?? ""
        return "\(command.what) timed out\(limit); its process group was terminated"
    }

    static func outputLeftOpenWarning(_ item: PlannedStep) -> String {
        "\(item.planned.event.rawValue): \(item.command.what) exited but a process it started still holds its stdout/stderr open; "
            + "the hook ended anyway. Start daemons with `cmd >/dev/null 2>&1 </dev/null &`"
    }

    /// The last ~2 KB of output, as the agent's failure diagnostics carry.
    static func tail(_ lines: [(ProcessOutputStream, String)]) -> String {
        var text = ""
        for (_, line) in lines.reversed() {
            if text.utf8.count + line.utf8.count > 2048 { break }
            text = line + "\n" + text
        }
        return text.isEmpty ? "" : "\n" + text.trimmingCharacters(in: .newlines)
    }

    private func appendLog(_ text: String, to path: String) async {
        try? await transport.append(text, to: path)
    }

    /// scripts.log entries written by the next command before its own work: `[`, `printf` (and
    /// `mkdir` when the folder is missing); it neither prints nor stops that command. The text
    /// travels in the command's environment, not in its script: a script can end up on a command
    /// line (visible in `ps`), and hook output may hold anything. The variable is unset before
    /// the command's own work, so a hook never sees it.
    static func logPreamble(_ text: String, to path: String) -> LogPreamble {
        let script = Shell.appendVariable("SLIPWAY_SCRIPTS_LOG", to: path, quiet: true) + "unset SLIPWAY_SCRIPTS_LOG\n"
        return LogPreamble(script: script, environment: ["SLIPWAY_SCRIPTS_LOG": text])
    }

    struct LogPreamble {
        var script: String
        var environment: [String: String]
        static let none = LogPreamble(script: "", environment: [:])
    }

    /// Reads the host's cleanup manifest, last successful install and that install's appspec
    /// and revision in one round trip; in process when the host's files are on this machine
    /// (two processes less per local host: this runs on every host of every deployment).
    public func readRecords() async throws(HostDeploymentError) -> HostRecords {
        let query = RecordsQuery(manifest: layout.cleanupManifest(identity.deploymentGroupId),
                                 lastInstall: layout.lastSuccessfulInstall(identity.deploymentGroupId),
                                 folderRevision: layout.deploymentDirectory(identity.deploymentGroupId, identity.deploymentId)
                                     + "/" + Self.revisionFile,
                                 groupDirectory: layout.groupDirectory(identity.deploymentGroupId),
                                 maxRevisions: layout.maxRevisions)
        if transport.filesAreLocal { return query.readInProcess() }
        let collector = LineCollector(limit: 1_000_000)
        let result: ProcessResult
        do {
            result = try await transport.run(query.script, environment: [:], timeout: .seconds(120)) { stream, line in
                if stream == .stdout { collector.add(stream, line) }
            }
        } catch {
            throw HostDeploymentError(event: nil, message: error.description)
        }
        guard result.succeeded else {
            throw HostDeploymentError(event: nil, message: "cannot read the host's deployment records: \(result.termination)")
        }
        return query.parse(collector.snapshot().lines.map(\.1))
    }

    /// The previous install as the planner needs it: from `records`, or read now.
    public func previousInstall(_ records: HostRecords? = nil) async throws(HostDeploymentError) -> PreviousInstall {
        let records = if let records { records } else { try await readRecords() }
        let groupId = identity.deploymentGroupId
        let manifestLines = PreviousInstall.parseManifest(records.text("@@manifest"))
        let lastDirectory = records.line("@@last")
        let inFolder = records.line("@@folder")
        let folders = (records.sections["@@folders"] ?? []).filter { !$0.isEmpty }
        guard let lastDirectory else {
            return PreviousInstall(cleanupManifest: manifestLines, revisionInDeploymentFolder: inFolder, foldersNewestFirst: folders)
        }
        let appSpecText = records.text("@@appspec")
        guard !appSpecText.isEmpty else {
            throw HostDeploymentError(event: .applicationStop, message:
                "the last successful install \(lastDirectory) has no appspec.yml; remove \(layout.lastSuccessfulInstall(groupId)) to deploy without running its ApplicationStop")
        }
        let loaded = AppSpecLoader.load(text: appSpecText, file: lastDirectory + "/deployment-archive/appspec.yml")
        guard let spec = loaded.appSpec else {
            throw HostDeploymentError(event: .applicationStop, message: loaded.errors.map(\.description).joined(separator: "\n"))
        }
        return PreviousInstall(cleanupManifest: manifestLines, lastSuccessful: (lastDirectory, spec), revisionInDeploymentFolder: inFolder,
                               foldersNewestFirst: folders)
    }
}

/// What a host says about earlier deployments of a group, as `readRecords` read it.
public struct HostRecords: Sendable, Equatable {
    static let sectionNames: Set<String> = ["@@manifest", "@@last", "@@folder", "@@revision", "@@folders", "@@appspec"]
    let sections: [String: [String]]

    init(sections: [String: [String]]) {
        self.sections = sections
    }

    /// The sha256 of the revision in the host's last successful install, nil when none.
    public var lastSuccessfulRevision: String? {
        line("@@revision").flatMap { $0.count == 64 ? $0 : nil }
    }

    func text(_ section: String) -> String { (sections[section] ?? []).joined(separator: "\n") }

    /// A one-line section, trimmed; nil when empty.
    func line(_ section: String) -> String? {
        let value = (sections[section] ?? []).joined().trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}

/// Output lines of one script, bounded.
final class LineCollector: Sendable {
    private let state: Mutex<(lines: [(ProcessOutputStream, String)], dropped: Int)>
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
        state = Mutex(([], 0))
    }

    func add(_ stream: ProcessOutputStream, _ line: String) {
        state.withLock { state in
            if state.lines.count < limit { state.lines.append((stream, line)) } else { state.dropped += 1 }
        }
    }

    func snapshot() -> (lines: [(ProcessOutputStream, String)], dropped: Int) {
        state.withLock { ($0.lines, $0.dropped) }
    }
}

/// The agent's scripts.log format: "<time> LifecycleEvent - X", "<time> Script - path",
/// "<time> [stdout]line".
enum ScriptsLog {
    /// The entries of the hooks among `items`, `outputs[i]` being the output of `items[i]`.
    static func entries(_ items: [PlannedStep], outputs: [(lines: [(ProcessOutputStream, String)], dropped: Int)]) -> String {
        var text = ""
        for (item, output) in zip(items, outputs) where item.isHook {
            text += entry(event: item.planned.event, script: item.command.label, lines: output.lines, dropped: output.dropped)
        }
        return text
    }

    static func entry(event: LifecycleEvent, script: String, lines: [(ProcessOutputStream, String)], dropped: Int) -> String {
        let time = Self.utcTimestamp(Date())
        var text = "\(time) LifecycleEvent - \(event.rawValue)\n\(time) Script - \(script)\n"
        for (stream, line) in lines { text += "\(time) [\(stream.rawValue)]\(line)\n" }
        if dropped > 0 { text += "\(time) [slipway]\(dropped) more lines not logged\n" }
        return text
    }

    /// `2026-11-30T05:41:42Z` (ISO 8601, UTC). By hand: an ISO8601DateFormatter per entry, three
    /// entries per host, was a visible part of the runner's CPU per host.
    static func utcTimestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
