/// One progress or log line a plugin emitted during a call (`host->emit`).
public struct PluginEvent: Sendable, Equatable {
    public enum Level: String, Sendable, Equatable {
        case info, warning, error
    }

    public var level: Level
    public var message: String
    /// The host the line is about, for fleet calls.
    public var host: String?
    public var fields: [String: String]

    public init(level: Level, message: String, host: String? = nil, fields: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.host = host
        self.fields = fields
    }

    /// Decodes the `event_json` a plugin passed to `emit`. A plugin bug must not lose the line,
    /// so text that is not a valid event becomes a warning carrying the raw text.
    init(json: String) {
        guard let value = try? ConfigValue.parseJSON(json), let fields = value.objectValue,
              let message = fields["message"]?.stringValue else {
            self.init(level: .warning, message: "plugin emitted a malformed event: \(json)")
            return
        }
        let level = fields["level"]?.stringValue.flatMap(Level.init(rawValue:)) ?? .info
        var extra: [String: String] = [:]
        for (key, value) in fields["fields"]?.objectValue ?? [:] {
            extra[key] = value.stringValue ?? value.jsonText
        }
        self.init(level: level, message: message, host: fields["host"]?.stringValue, fields: extra)
    }
}
