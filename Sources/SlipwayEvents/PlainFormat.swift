/// The plain-text wording of events, shared by the plain, GitHub Actions and terminal
/// renderers so they never drift apart.
enum PlainFormat {
    /// The line for an event, without newline.
    static func line(_ event: Event) -> String {
        prefix(event.scope) + body(event)
    }

    static func prefix(_ scope: String?) -> String {
        scope.map { "[\($0)] " } ?? ""
    }

    static func body(_ event: Event) -> String {
        switch event.kind {
        case .runStarted, .stepStarted, .stageStarted:
            return "▶ " + event.message
        case .stepOutput:
            return "| " + event.message
        case .stageProgress:
            return "· " + event.message
        case .runFinished, .stepFinished, .stageFinished:
            return symbol(event.status) + " " + outcome(event)
        case .info:
            return event.message
        case .warning:
            return "warning: " + locationPrefix(event.location) + event.message
        case .error:
            return "error: " + locationPrefix(event.location) + event.message
        }
    }

    /// "succeeded in 1.2s: detail"
    static func outcome(_ event: Event) -> String {
        var text = word(event.status)
        if let duration = event.duration { text += " in " + formatDuration(duration) }
        if !event.message.isEmpty { text += ": " + event.message }
        return text
    }

    static func symbol(_ status: Event.Status?) -> String {
        switch status {
        case .succeeded: "✓"
        case .failed, .timedOut, .cancelled: "✗"
        case .skipped: "–"
        case nil: "■"
        }
    }

    static func word(_ status: Event.Status?) -> String {
        switch status {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        case .skipped: "skipped"
        case nil: "finished"
        }
    }

    static func locationPrefix(_ location: Event.SourceLocation?) -> String {
        guard let location else { return "" }
        var text = location.file
        if let line = location.line {
            text += ":\(line)"
            if let column = location.column { text += ":\(column)" }
        }
        return text + ": "
    }

    /// "0.4s", "12.0s", "2m05s", "1h02m03s": tenths while short, whole seconds once long.
    static func formatDuration(_ seconds: Double) -> String {
        let seconds = max(0, seconds)
        if seconds < 59.95 {
            let tenths = Int((seconds * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours)h\(twoDigits(minutes))m\(twoDigits(secs))s" : "\(minutes)m\(twoDigits(secs))s"
    }
}
