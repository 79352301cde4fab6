import Foundation
import SlipwayProcess
import Synchronization

/// One step of a host's plan with the event it belongs to.
struct PlannedStep: Sendable {
    let planned: PlannedEvent
    let step: HostStep

    var command: HostCommand {
        guard case .run(let command) = step else { preconditionFailure("not a command step") }
        return command
    }

    var isHook: Bool {
        if case .run(let command) = step { return command.isHook }
        return false
    }
}

/// What running one or more commands gave: the output of each command that started (for
/// scripts.log), the first failure, and whether their scripts.log entries are already on the
/// host (written by the run's trailer).
struct StepOutcome {
    var outputs: [(lines: [(ProcessOutputStream, String)], dropped: Int)]
    var failure: HostDeploymentError?
    var logWritten = false
}

/// scripts.log text the last run of a plan appends on the host once its commands are over:
/// the entries still pending from earlier runs, then those of its own hooks.
struct PendingLog {
    let path: String
    let prior: String
}

extension HostCommand {
    /// How messages name it: "script hooks/start.sh", or the agent's own label.
    var what: String { isHook ? "script \(label)" : label }
}

/// Tells the observer once per event that it started, whichever thread sees it first.
final class EventAnnouncer: Sendable {
    private let observer: HostDeployment.Observer
    private let announced = Mutex<Set<LifecycleEvent>>([])

    init(observer: HostDeployment.Observer) { self.observer = observer }

    func started(_ planned: PlannedEvent) {
        if announced.withLock({ $0.insert(planned.event).inserted }) { observer.eventStarted(planned) }
    }
}

extension HostDeployment {
    /// Runs consecutive commands as one `CommandBatch`: one transport run for all of them.
    /// Each command's output, status and timeout stay its own: markers in the output say which
    /// command is running, and when the running one passes its timeout the run is cancelled,
    /// which terminates the batch's process group on the host.
    func runBatch(_ items: [PlannedStep], preamble: LogPreamble, upload: FileTransfer?, log: PendingLog?,
                  announcer: EventAnnouncer, observer: Observer) async -> StepOutcome {
        let batch = CommandBatch(commands: items.map(\.command), nonce: UUID().uuidString)
        let script: String
        var environment: [String: String]
        do { (script, environment) = try batch.render(preamble: preamble.script) } catch {
            return StepOutcome(outputs: [], failure: HostDeploymentError(event: items[0].planned.event, message: error.message))
        }
        environment.merge(preamble.environment) { own, _ in own }
        let progress = BatchProgress(items: items, limit: maxLoggedLines)
        let onLine: @Sendable (ProcessOutputStream, String) -> Void = { stream, line in
            let parsed = batch.parse(line)
            // A marker glued to a last line without its newline: that text is still output.
            let text = parsed.map { String($0.before) } ?? line
            if parsed == nil || !text.isEmpty {
                let index = progress.add(stream, text)
                observer.line(items[index].planned.event, stream, text)
            }
            guard let marker = parsed?.marker else { return }
            if case .begin(let index) = marker { announcer.started(items[index].planned) }
            progress.record(marker, stream: stream)
        }
        let trailer = log.map { log in LogTrailer(path: log.path) { log.prior + progress.logEntries() } }
        let run = Task { () async -> Result<ProcessResult, TransportError> in
            do throws(TransportError) {
                return .success(try await self.run(script, environment: environment, timeout: nil, after: upload, trailer: trailer,
                                                   onLine: onLine))
            } catch {
                return .failure(error)
            }
        }
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                if progress.passedDeadline() { run.cancel(); return }
            }
        }
        let outcome = await withTaskCancellationHandler { await run.value } onCancel: { run.cancel() }
        watchdog.cancel()
        var result = progress.outcome(of: outcome, warning: observer.warning)
        result.logWritten = trailer?.wasWritten ?? false
        return result
    }
}

/// What the markers of one batch have said so far; written from the transport's reader thread.
final class BatchProgress: Sendable {
    private struct State {
        var stdoutCommand = 0
        var stderrCommand = 0
        var begun: Int?
        var statuses: [Int32?]
        var deadline: ContinuousClock.Instant?
        var timedOut: Int?
    }

    private let items: [PlannedStep]
    private let collectors: [LineCollector]
    private let state: Mutex<State>

    init(items: [PlannedStep], limit: Int) {
        self.items = items
        collectors = items.map { _ in LineCollector(limit: limit) }
        state = Mutex(State(statuses: Array(repeating: nil, count: items.count)))
    }

    /// Keeps a line for the command it belongs to and returns that command's index. Output after
    /// the last command ended (a daemon it left) goes to the last command.
    func add(_ stream: ProcessOutputStream, _ line: String) -> Int {
        let index = state.withLock { min(stream == .stdout ? $0.stdoutCommand : $0.stderrCommand, items.count - 1) }
        collectors[index].add(stream, line)
        return index
    }

    func record(_ marker: CommandBatch.Marker, stream: ProcessOutputStream) {
        state.withLock { state in
            switch marker {
            case .begin(let index):
                state.stdoutCommand = index
                state.begun = index
                state.deadline = items[index].command.timeout.map { ContinuousClock.now + $0 }
            case .end(let index, let status) where stream == .stdout:
                state.statuses[index] = status
                state.stdoutCommand = index + 1
                state.deadline = nil
            case .end(let index, _):
                state.stderrCommand = index + 1
            }
        }
    }

    /// The scripts.log entries of the hooks that started so far.
    func logEntries() -> String {
        let started = state.withLock { ($0.begun ?? -1) + 1 }
        return ScriptsLog.entries(Array(items.prefix(started)), outputs: collectors.prefix(started).map { $0.snapshot() })
    }

    /// True once, when the running command has passed its timeout.
    func passedDeadline() -> Bool {
        state.withLock { state in
            guard let deadline = state.deadline, ContinuousClock.now >= deadline else { return false }
            state.timedOut = state.begun
            state.deadline = nil
            return true
        }
    }

    /// Each started command's output, and the failure of the first command that did not succeed.
    func outcome(of run: Result<ProcessResult, TransportError>, warning: (String) -> Void) -> StepOutcome {
        let state = state.withLock { $0 }
        let started = (state.begun ?? -1) + 1
        let outputs = collectors.prefix(started).map { $0.snapshot() }
        func failure(_ index: Int, _ message: String) -> StepOutcome {
            StepOutcome(outputs: Array(outputs.prefix(index + 1)), failure: HostDeploymentError(event: items[index].planned.event, message: message))
        }
        let result: ProcessResult
        switch run {
        case .failure(let error): return failure(min(max(started - 1, 0), items.count - 1), error.description)
        case .success(let value): result = value
        }
        if result.outputLeftOpen, let last = items.prefix(started).last(where: \.isHook) {
            warning(HostDeployment.outputLeftOpenWarning(last))
        }
        for (index, item) in items.enumerated() {
            let command = item.command
            if let status = state.statuses[index] {
                if status == 0 { continue }
                return failure(index, "\(command.what) \(Termination.exited(status))" + HostDeployment.tail(outputs[index].lines))
            }
            // The first command without an end marker: it was running when the batch stopped,
            // or the batch stopped before it (the host's shell could not start).
            if state.timedOut == index { return failure(index, HostDeployment.timeoutMessage(command)) }
            if result.cancelled { return failure(index, "\(command.what) was cancelled") }
            // Lines of a command that never began: the host's shell complained before it.
            return failure(index, "\(command.what) \(result.termination)" + HostDeployment.tail(collectors[index].snapshot().lines))
        }
        return StepOutcome(outputs: outputs, failure: nil)
    }
}
