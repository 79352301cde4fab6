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
    public func plan(bundle: LocalBundle, appSpec: AppSpec) async throws(HostDeploymentError) -> LifecyclePlan {
        let previous = try await readPreviousInstall()
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

    /// Plans and runs the whole lifecycle; throws at the first failed event.
    public func deploy(bundle: LocalBundle, appSpec: AppSpec, observer: Observer = Observer()) async throws(HostDeploymentError) {
        let previous = try await readPreviousInstall()
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
        // scripts.log entries of finished events not yet on the host. The next hook command
        // writes them before it starts (hooks are small scripts, so the command stays small), which
        // saves a command per event; whatever is left is written at the end or on failure.
        var pendingLog = ""
        func fail(_ error: HostDeploymentError) async -> HostDeploymentError {
            if !pendingLog.isEmpty { await appendLog(pendingLog, to: log) }
            return error
        }
        for planned in plan.events {
            var logText = ""
            if !planned.isNoop { observer.eventStarted(planned) }
            for step in planned.steps {
                if observer.isCancelled() { throw await fail(HostDeploymentError(event: planned.event, message: "cancelled")) }
                switch step {
                case .external:
                    do { try await observer.traffic(planned.event) } catch {
                        throw await fail(HostDeploymentError(event: planned.event, message: "\(error)"))
                    }
                case .upload(let local, let remote):
                    do { try await transport.upload(local, to: remote) } catch {
                        throw await fail(HostDeploymentError(event: planned.event, message: error.description))
                    }
                case .run(var command):
                    if command.isHook && !pendingLog.isEmpty {
                        command.script = Self.appendLogScript(pendingLog, to: log, quiet: true) + command.script
                        pendingLog = ""
                    }
                    let output = try await run(command, event: planned.event, observer: observer)
                    if command.isHook {
                        logText += ScriptsLog.entry(event: planned.event, script: command.label, lines: output.lines,
                                                    dropped: output.dropped)
                    }
                    if let failure = output.failure {
                        pendingLog += logText
                        throw await fail(HostDeploymentError(event: planned.event, message: failure))
                    }
                }
            }
            pendingLog += logText
        }
        if !pendingLog.isEmpty { await appendLog(pendingLog, to: log) }
    }

    struct Output {
        var lines: [(ProcessOutputStream, String)]
        var dropped: Int
        var failure: String?
    }

    private func run(_ command: HostCommand, event: LifecycleEvent, observer: Observer) async throws(HostDeploymentError) -> Output {
        let collector = LineCollector(limit: maxLoggedLines)
        let result: ProcessResult
        do {
            result = try await transport.run(command.script, environment: command.environment, timeout: command.timeout) { stream, line in
                collector.add(stream, line)
                observer.line(event, stream, line)
            }
        } catch {
            throw HostDeploymentError(event: event, message: error.description)
        }
        let (lines, dropped) = collector.snapshot()
        var output = Output(lines: lines, dropped: dropped, failure: nil)
        let what = command.isHook ? "script \(command.label)" : command.label
        if result.outputLeftOpen {
            observer.warning("\(event.rawValue): \(what) exited but a process it started still holds its stdout/stderr open; "
                + "the hook ended anyway. Start daemons with `cmd >/dev/null 2>&1 </dev/null &`")
        }
        if result.timedOut {
            let limit = command.timeout.map { " after \($0.components.seconds) s" } ?? ""
            output.failure = "\(what) timed out\(limit); its process group was terminated"
        } else if result.cancelled {
            output.failure = "\(what) was cancelled"
        } else if !result.succeeded {
            output.failure = "\(what) \(result.termination)" + Self.tail(lines)
        }
        return output
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
        _ = try? await transport.run(Self.appendLogScript(text, to: path, quiet: false), environment: [:], timeout: .seconds(60)) { _, _ in }
    }

    /// Appends `text` to the log at `path` with builtins only ([, printf; mkdir when the folder is
    /// missing). `quiet`: as the preamble of another command, it neither prints nor stops it.
    static func appendLogScript(_ text: String, to path: String, quiet: Bool) -> String {
        let folder = Shell.quote((path as NSString).deletingLastPathComponent)
        if quiet {
            return "{ [ -d \(folder) ] || mkdir -p \(folder); printf '%s' \(Shell.quote(text)) >> \(Shell.quote(path)); } 2>/dev/null\n"
        }
        return "[ -d \(folder) ] || mkdir -p \(folder) || exit 1\nprintf '%s' \(Shell.quote(text)) >> \(Shell.quote(path))\n"
    }

    /// Reads the host's cleanup manifest, last successful install and that install's appspec
    /// in one round trip.
    public func readPreviousInstall() async throws(HostDeploymentError) -> PreviousInstall {
        let groupId = identity.deploymentGroupId
        let manifest = Shell.quote(layout.cleanupManifest(groupId))
        let last = Shell.quote(layout.lastSuccessfulInstall(groupId))
        // `show` prints a small file with builtins only (no `cat` process each): this runs on
        // every host of every deployment. It reads byte by byte, so the manifest (one line per
        // installed path) still goes through cat. A last line without its newline stays without.
        let script = """
        show() { [ -f "$1" ] || return 0; l=; while IFS= read -r l; do printf '%s\\n' "$l"; done < "$1"; printf '%s' "$l"; }
        printf '%s\\n' '@@manifest'
        [ -f \(manifest) ] && cat \(manifest)
        printf '\\n%s\\n' '@@last'
        show \(last)
        printf '\\n%s\\n' '@@folder'
        show \(Shell.quote(layout.deploymentDirectory(groupId, identity.deploymentId) + "/" + Self.revisionFile))
        printf '\\n%s\\n' '@@appspec'
        d=; [ -f \(last) ] && IFS= read -r d < \(last) || true
        for f in appspec.yml appspec.yaml; do
          if [ -n "$d" ] && [ -f "$d/deployment-archive/$f" ]; then show "$d/deployment-archive/$f"; break; fi
        done
        exit 0
        """
        let collector = LineCollector(limit: 1_000_000)
        let result: ProcessResult
        do {
            result = try await transport.run(script, environment: [:], timeout: .seconds(120)) { stream, line in
                if stream == .stdout { collector.add(stream, line) }
            }
        } catch {
            throw HostDeploymentError(event: nil, message: error.description)
        }
        guard result.succeeded else {
            throw HostDeploymentError(event: nil, message: "cannot read the host's deployment records: \(result.termination)")
        }
        var sections: [String: [String]] = [:]
        var current = ""
        for (_, line) in collector.snapshot().lines {
            if ["@@manifest", "@@last", "@@folder", "@@appspec"].contains(line) { current = line; continue }
            sections[current, default: []].append(line)
        }
        let manifestLines = PreviousInstall.parseManifest((sections["@@manifest"] ?? []).joined(separator: "\n"))
        let lastDirectory = (sections["@@last"] ?? []).joined().trimmingCharacters(in: .whitespaces)
        let folderRevision = (sections["@@folder"] ?? []).joined().trimmingCharacters(in: .whitespacesAndNewlines)
        let inFolder = folderRevision.isEmpty ? nil : folderRevision
        guard !lastDirectory.isEmpty else { return PreviousInstall(cleanupManifest: manifestLines, revisionInDeploymentFolder: inFolder) }
        let appSpecText = (sections["@@appspec"] ?? []).joined(separator: "\n")
        guard !appSpecText.isEmpty else {
            throw HostDeploymentError(event: .applicationStop, message:
                "the last successful install \(lastDirectory) has no appspec.yml; remove \(layout.lastSuccessfulInstall(groupId)) to deploy without running its ApplicationStop")
        }
        let loaded = AppSpecLoader.load(text: appSpecText, file: lastDirectory + "/deployment-archive/appspec.yml")
        guard let spec = loaded.appSpec else {
            throw HostDeploymentError(event: .applicationStop, message: loaded.errors.map(\.description).joined(separator: "\n"))
        }
        return PreviousInstall(cleanupManifest: manifestLines, lastSuccessful: (lastDirectory, spec), revisionInDeploymentFolder: inFolder)
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
    static func entry(event: LifecycleEvent, script: String, lines: [(ProcessOutputStream, String)], dropped: Int) -> String {
        let time = ISO8601DateFormatter().string(from: Date())
        var text = "\(time) LifecycleEvent - \(event.rawValue)\n\(time) Script - \(script)\n"
        for (stream, line) in lines { text += "\(time) [\(stream.rawValue)]\(line)\n" }
        if dropped > 0 { text += "\(time) [slipway]\(dropped) more lines not logged\n" }
        return text
    }
}
