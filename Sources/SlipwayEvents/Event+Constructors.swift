import Foundation

extension Event {
    public static func runStarted(_ message: String, time: Date = Date(), fields: [String: String] = [:]) -> Event {
        Event(kind: .runStarted, time: time, message: message, fields: fields)
    }

    public static func runFinished(_ status: Status, duration: Double? = nil, message: String = "", time: Date = Date()) -> Event {
        Event(kind: .runFinished, time: time, message: message, status: status, duration: duration)
    }

    public static func stepStarted(scope: String, message: String, time: Date = Date()) -> Event {
        Event(kind: .stepStarted, time: time, scope: scope, message: message)
    }

    public static func stepOutput(scope: String, stream: String, line: String, time: Date = Date()) -> Event {
        Event(kind: .stepOutput, time: time, scope: scope, message: line, stream: stream)
    }

    public static func stepFinished(scope: String, status: Status, duration: Double?, message: String = "", time: Date = Date()) -> Event {
        Event(kind: .stepFinished, time: time, scope: scope, message: message, status: status, duration: duration)
    }

    public static func stageStarted(scope: String, message: String, time: Date = Date()) -> Event {
        Event(kind: .stageStarted, time: time, scope: scope, message: message)
    }

    public static func stageProgress(scope: String, message: String, fields: [String: String] = [:], time: Date = Date()) -> Event {
        Event(kind: .stageProgress, time: time, scope: scope, message: message, fields: fields)
    }

    public static func stageFinished(scope: String, status: Status, duration: Double?, message: String = "", time: Date = Date()) -> Event {
        Event(kind: .stageFinished, time: time, scope: scope, message: message, status: status, duration: duration)
    }

    public static func info(_ message: String, scope: String? = nil, time: Date = Date()) -> Event {
        Event(kind: .info, time: time, scope: scope, message: message)
    }

    public static func warning(_ message: String, scope: String? = nil, location: SourceLocation? = nil, time: Date = Date()) -> Event {
        Event(kind: .warning, time: time, scope: scope, message: message, location: location)
    }

    public static func error(_ message: String, scope: String? = nil, location: SourceLocation? = nil, time: Date = Date()) -> Event {
        Event(kind: .error, time: time, scope: scope, message: message, location: location)
    }
}
