import Foundation
import Synchronization

/// Colored lines for a person at a terminal, plus one live status line at the bottom naming
/// what is in progress and for how long. Before each new line the status line is erased, the
/// line is printed (so output scrolls above), and the status line is drawn again.
///
/// The status line is redrawn on every event; call `refresh()` from a timer to keep its
/// elapsed times ticking while a step is silent.
public final class TerminalRenderer: EventSink {
    private struct Activity {
        let scope: String
        let started: Date
    }

    private struct State {
        var activities: [Activity] = []
        var statusShown = false
    }

    private let output: any TextOutput
    private let columns: Int
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    /// - Parameters:
    ///   - columns: terminal width; the status line is cut to fit, because a wrapped status
    ///     line could not be erased with one "clear line".
    ///   - now: the clock for elapsed times (injectable for tests).
    public init(output: any TextOutput, columns: Int = 80, now: @escaping @Sendable () -> Date = { Date() }) {
        self.output = output
        self.columns = max(columns, 10)
        self.now = now
    }

    public func emit(_ event: Event) {
        state.withLock { state in
            var text = state.statusShown ? ANSI.clearLine : ""
            text += Self.coloredLine(event) + "\n"
            Self.track(event, in: &state.activities)
            text += statusText(state: &state)
            output.write(text)
        }
    }

    /// Redraws the status line with current elapsed times.
    public func refresh() {
        state.withLock { state in
            guard !state.activities.isEmpty else { return }
            var text = state.statusShown ? ANSI.clearLine : ""
            text += statusText(state: &state)
            output.write(text)
        }
    }

    private static func track(_ event: Event, in activities: inout [Activity]) {
        switch event.kind {
        case .stepStarted, .stageStarted:
            activities.append(Activity(scope: event.scope ?? event.message, started: event.time))
        case .stepFinished, .stageFinished:
            let scope = event.scope ?? event.message
            activities.removeAll { $0.scope == scope }
        case .runFinished:
            activities.removeAll()
        default:
            break
        }
    }

    /// The status line (no newline, so the next write can erase it), or "" when idle.
    private func statusText(state: inout State) -> String {
        guard !state.activities.isEmpty else {
            state.statusShown = false
            return ""
        }
        let current = now()
        let parts = state.activities.map { activity in
            "\(activity.scope) \(PlainFormat.formatDuration(current.timeIntervalSince(activity.started)))"
        }
        var line = "⋯ " + parts.joined(separator: " · ")
        if line.count > columns - 1 { line = String(line.prefix(columns - 2)) + "…" }
        state.statusShown = true
        return ANSI.paint(line, ANSI.dim)
    }

    static func coloredLine(_ event: Event) -> String {
        let prefix = event.scope.map { ANSI.paint("[\($0)]", ANSI.cyan) + " " } ?? ""
        switch event.kind {
        case .runStarted, .stepStarted, .stageStarted:
            return prefix + ANSI.paint("▶ " + event.message, ANSI.bold)
        case .stepOutput:
            let bar = event.stream == "stderr" ? ANSI.paint("|", ANSI.red) : ANSI.paint("|", ANSI.dim)
            return prefix + bar + " " + event.message
        case .stageProgress:
            return prefix + ANSI.paint("·", ANSI.dim) + " " + event.message
        case .runFinished, .stepFinished, .stageFinished:
            let color = switch event.status {
            case .succeeded: ANSI.green
            case .failed, .timedOut, .cancelled: ANSI.red
            case .skipped, nil: ANSI.dim
            }
            return prefix + ANSI.paint(PlainFormat.symbol(event.status) + " " + PlainFormat.outcome(event), color)
        case .info:
            return prefix + event.message
        case .warning:
            return prefix + ANSI.paint("warning:", ANSI.yellow) + " " + PlainFormat.locationPrefix(event.location) + event.message
        case .error:
            return prefix + ANSI.paint("error:", ANSI.boldRed) + " " + PlainFormat.locationPrefix(event.location) + event.message
        }
    }
}
