/// What the rollout engine needs from a target, as the plugin contract's two primitive sets.
/// The engine owns strategy (batches, weights, gates, rollback); a primitive does one small,
/// idempotent thing to the target. `PluginPrimitives` implements both over a loaded plugin.

/// A host of a fleet, as its plugin discovered it.
public struct FleetHost: Sendable, Codable, Equatable {
    public var id: String
    public var name: String?
    /// The revision the host runs now, when the plugin knows it.
    public var revision: String?
    public var healthy: Bool

    public init(id: String, name: String? = nil, revision: String? = nil, healthy: Bool = true) {
        self.id = id
        self.name = name
        self.revision = revision
        self.healthy = healthy
    }
}

/// A revision as a plugin receives it: its name, and where to read the archive.
public struct RevisionRef: Sendable, Codable, Equatable {
    public var sha256: String
    public var format: String
    /// A local copy of the archive.
    public var archive: String
    /// Where the store keeps it (`file://…` or `s3://…`).
    public var location: String

    public init(sha256: String, format: String, archive: String, location: String) {
        self.sha256 = sha256
        self.format = format
        self.archive = archive
        self.location = location
    }
}

/// A primitive that did not do its job: the plugin's error code and message.
public struct PrimitiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String = "failed", message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
    public var isCancellation: Bool { code == "cancelled" }
}

public protocol FleetPrimitives: Sendable {
    func discover() async throws(PrimitiveError) -> [FleetHost]
    func deployHost(_ host: FleetHost, revision: RevisionRef, previous: RevisionRef?) async throws(PrimitiveError)
    /// Whether the target has a load balancer to take hosts out of (Block/AllowTraffic).
    var controlsTraffic: Bool { get }
    func blockTraffic(_ host: FleetHost) async throws(PrimitiveError)
    func allowTraffic(_ host: FleetHost) async throws(PrimitiveError)
}

public protocol TrafficPrimitives: Sendable {
    /// Creates the candidate (a Lambda version, a replacement task set); returns what it is.
    func prepare(_ revision: RevisionRef) async throws(PrimitiveError) -> String
    /// Sends `percent` of traffic to the candidate.
    func setWeight(_ percent: Int) async throws(PrimitiveError)
    func promote() async throws(PrimitiveError)
    func cleanup() async throws(PrimitiveError)
    /// All traffic back to the original; the candidate removed.
    func abort() async throws(PrimitiveError)
    var supportsHooks: Bool { get }
    func runHook(_ event: String, hooks: [String]) async throws(PrimitiveError)
    /// Whether the target has a test route to the candidate (ECS's test listener).
    var supportsTestTraffic: Bool { get }
    /// Routes test traffic (and only that) to the candidate: CodeDeploy's AllowTestTraffic.
    func allowTestTraffic() async throws(PrimitiveError)
}

extension TrafficPrimitives {
    public var supportsTestTraffic: Bool { false }
    public func allowTestTraffic() async throws(PrimitiveError) {}
}
