import Foundation

/// Everything that happens during a run, as one flat record: build steps, stages, hosts and
/// free-form messages. Renderers, the journal and `--json` all consume this one type.
public struct Event: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case runStarted, runFinished
        case stepStarted, stepOutput, stepFinished
        case stageStarted, stageProgress, stageFinished
        case info, warning, error
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case succeeded, failed, timedOut, cancelled, skipped
    }

    /// Where a warning or error points to, e.g. a line of the pipeline file; GitHub Actions
    /// shows it as an annotation on that line.
    public struct SourceLocation: Sendable, Codable, Equatable {
        public var file: String
        public var line: Int?
        public var column: Int?

        public init(file: String, line: Int? = nil, column: Int? = nil) {
            self.file = file
            self.line = line
            self.column = column
        }
    }

    public var kind: Kind
    public var time: Date
    /// What the event is about, as a path: "build/compile", "stage/web", "host/web-1".
    public var scope: String?
    public var message: String
    /// "stdout" or "stderr" for `stepOutput`.
    public var stream: String?
    public var status: Status?
    /// Seconds.
    public var duration: Double?
    public var location: SourceLocation?
    public var fields: [String: String]

    public init(
        kind: Kind,
        time: Date = Date(),
        scope: String? = nil,
        message: String = "",
        stream: String? = nil,
        status: Status? = nil,
        duration: Double? = nil,
        location: SourceLocation? = nil,
        fields: [String: String] = [:]
    ) {
        self.kind = kind
        self.time = time
        self.scope = scope
        self.message = message
        self.stream = stream
        self.status = status
        self.duration = duration
        self.location = location
        self.fields = fields
    }

    private enum CodingKeys: String, CodingKey {
        case kind, time, scope, message, stream, status, duration, location, fields
    }

    // Hand-written so that empty `fields` are left out of every JSON line and a line without
    // them (older journals, other producers) still decodes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        time = try container.decode(Date.self, forKey: .time)
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        stream = try container.decodeIfPresent(String.self, forKey: .stream)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
        duration = try container.decodeIfPresent(Double.self, forKey: .duration)
        location = try container.decodeIfPresent(SourceLocation.self, forKey: .location)
        fields = try container.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(time, forKey: .time)
        try container.encodeIfPresent(scope, forKey: .scope)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(stream, forKey: .stream)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(duration, forKey: .duration)
        try container.encodeIfPresent(location, forKey: .location)
        if !fields.isEmpty { try container.encode(fields, forKey: .fields) }
    }
}
