import Foundation

/// What happened in one deployment of one stage: stored at
/// `deployments/<pipeline>/<id>/record.json` and shown by `slipway status` / `history`.
public struct DeploymentRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case inProgress, succeeded, failed, rolledBack, stopped

        public var isFinished: Bool { self != .inProgress }
    }

    /// The state of one host or one step.
    public enum UnitStatus: String, Codable, Sendable, CaseIterable {
        case pending, inProgress, succeeded, failed, skipped, stopped
    }

    public struct HostResult: Codable, Sendable, Equatable {
        public var host: String
        public var status: UnitStatus
        public var message: String?
        public var startedAt: Date?
        public var finishedAt: Date?

        public init(host: String, status: UnitStatus, message: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil) {
            self.host = host
            self.status = status
            self.message = message
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    public struct StepResult: Codable, Sendable, Equatable {
        public var name: String
        public var status: UnitStatus
        public var message: String?
        public var startedAt: Date?
        public var finishedAt: Date?

        public init(name: String, status: UnitStatus, message: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil) {
            self.name = name
            self.status = status
            self.message = message
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    public var id: DeploymentID
    public var pipeline: String
    public var stage: String
    public var targetType: String
    /// SHA-256 of the revision archive being deployed.
    public var revision: String
    /// The stage's last successful revision when this deployment started (what a rollback
    /// returns to); nil on a first deployment.
    public var previousRevision: String?
    public var status: Status
    /// Why it ended the way it did (or why it was started, e.g. "manual rollback").
    public var reason: String?
    /// Set when this deployment is the rollback of another one.
    public var rollbackOf: DeploymentID?
    public var startedAt: Date
    public var finishedAt: Date?
    public var hosts: [HostResult]
    public var steps: [StepResult]
    /// Seconds spent per phase ("lock", "plan", "rollout", "total", ...); names are the engine's.
    public var timings: [String: Double]

    public init(id: DeploymentID, pipeline: String, stage: String, targetType: String, revision: String,
                previousRevision: String? = nil, status: Status = .inProgress, reason: String? = nil,
                rollbackOf: DeploymentID? = nil, startedAt: Date, finishedAt: Date? = nil,
                hosts: [HostResult] = [], steps: [StepResult] = [], timings: [String: Double] = [:]) {
        self.id = id
        self.pipeline = pipeline
        self.stage = stage
        self.targetType = targetType
        self.revision = revision
        self.previousRevision = previousRevision
        self.status = status
        self.reason = reason
        self.rollbackOf = rollbackOf
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.hosts = hosts
        self.steps = steps
        self.timings = timings
    }

    /// Replaces the result of `result.host`, or appends it (first time this host is seen).
    public mutating func setHost(_ result: HostResult) {
        if let index = hosts.firstIndex(where: { $0.host == result.host }) { hosts[index] = result } else { hosts.append(result) }
    }

    /// Replaces the result of `result.name`, or appends it.
    public mutating func setStep(_ result: StepResult) {
        if let index = steps.firstIndex(where: { $0.name == result.name }) { steps[index] = result } else { steps.append(result) }
    }

    public mutating func finish(_ status: Status, reason: String? = nil, at time: Date) {
        self.status = status
        if let reason { self.reason = reason }
        finishedAt = time
        timings["total"] = time.timeIntervalSince(startedAt)
    }
}

/// `stages/<pipeline>/<stage>/last-successful.json`: what a rollback goes back to and what the
/// next deployment's ApplicationStop runs from.
public struct LastSuccessful: Codable, Sendable, Equatable {
    /// SHA-256 of the revision.
    public var revision: String
    public var deploymentId: DeploymentID
    public var at: Date

    public init(revision: String, deploymentId: DeploymentID, at: Date) {
        self.revision = revision
        self.deploymentId = deploymentId
        self.at = at
    }
}

/// A record with the version tag it was read or written at: pass the tag back to `save`.
public struct StoredRecord: Sendable, Equatable {
    public var record: DeploymentRecord
    public var tag: String

    public init(record: DeploymentRecord, tag: String) {
        self.record = record
        self.tag = tag
    }
}
