/// The fields every call carries, with the stage config decoded into the plugin's own type.
public struct PluginCall<Config: Decodable & Sendable>: Sendable {
    /// Same id for every call of one deployment, including retries after a crash: make the
    /// work idempotent per deployment id.
    public let deploymentId: String
    public let stage: String
    public let targetType: String
    /// The stage's `with:`, decoded.
    public let config: Config
    /// The stage's `with:` as JSON, for fields the Config type does not model.
    public let rawConfig: JSONValue
    /// Dry run: describe what would happen in the result's `plan` lines and change NOTHING.
    public let plan: Bool
    /// The state this plugin returned from its previous call in this deployment, if any.
    /// Decode a typed state with `call.state?.decode(as: MyState.self)`.
    public let state: JSONValue?
    public let context: PluginContext
}

/// A host as `discover` reports it; the runner passes it back unchanged to per-host calls.
public struct FleetHost: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    /// The revision (sha256) the host runs, when the plugin can tell.
    public var revision: String?
    public var healthy: Bool
    /// Anything else the plugin needs later (an address, an instance id); passed back verbatim.
    public var attributes: [String: JSONValue]?

    public init(id: String, name: String? = nil, revision: String? = nil, healthy: Bool = true, attributes: [String: JSONValue]? = nil) {
        self.id = id
        self.name = name ?? id
        self.revision = revision
        self.healthy = healthy
        self.attributes = attributes
    }

    private enum CodingKeys: String, CodingKey { case id, name, revision, healthy, attributes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? id
        revision = try container.decodeIfPresent(String.self, forKey: .revision)
        healthy = try container.decodeIfPresent(Bool.self, forKey: .healthy) ?? true
        attributes = try container.decodeIfPresent([String: JSONValue].self, forKey: .attributes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(revision, forKey: .revision)  // explicit null: "revision unknown"
        try container.encode(healthy, forKey: .healthy)
        try container.encodeIfPresent(attributes, forKey: .attributes)
    }
}

/// A packaged revision, as the runner describes it.
public struct Revision: Sendable, Equatable, Codable {
    public var sha256: String
    /// "tgz", "tar", "zip" or "tzst".
    public var format: String
    /// A local path to the archive (the runner downloads it first).
    public var archive: String
    /// Where the store keeps it: `file:///…` or `s3://…`.
    public var location: String?

    public init(sha256: String, format: String, archive: String, location: String? = nil) {
        self.sha256 = sha256
        self.format = format
        self.archive = archive
        self.location = location
    }
}

/// The result of most methods: new state to journal and, in plan mode, what would be done.
public struct PluginResult: Sendable {
    /// Journaled by the runner and passed back as `call.state` next time; `JSONValue(encoding:)`
    /// turns a Codable state into one.
    public var state: JSONValue?
    public var plan: [String]?

    public init(state: JSONValue? = nil, plan: [String]? = nil) {
        self.state = state
        self.plan = plan
    }

    func fields() -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if let state { fields["state"] = state }
        if let plan { fields["plan"] = .array(plan.map(JSONValue.string)) }
        return fields
    }
}

public struct DiscoverResult: Sendable {
    public var hosts: [FleetHost]
    public var state: JSONValue?
    public var plan: [String]?

    public init(hosts: [FleetHost], state: JSONValue? = nil, plan: [String]? = nil) {
        self.hosts = hosts
        self.state = state
        self.plan = plan
    }
}

public struct PrepareResult: Sendable {
    /// A human description of the candidate ("version 7", "task set ecs-svc/abc").
    public var candidate: String
    public var state: JSONValue?
    public var plan: [String]?

    public init(candidate: String, state: JSONValue? = nil, plan: [String]? = nil) {
        self.candidate = candidate
        self.state = state
        self.plan = plan
    }
}
