import Foundation

/// The body of `locks/<pipeline>/<stage>.json`.
public struct LockInfo: Codable, Sendable, Equatable {
    public var pipeline: String
    public var stage: String
    /// `user@hostname pid N` of the runner holding the lock.
    public var holder: String
    public var deploymentId: DeploymentID
    public var acquiredAt: Date
    public var refreshedAt: Date
    public var expiresAt: Date
    /// Random per acquisition. It makes every lock body unique, so a store's version tag (a
    /// content hash on FileStore, an MD5 ETag on S3) never matches another acquisition's lock
    /// that happens to have the same fields; and it tells "my lock" from "a later lock of the
    /// same deployment" (a resume) on release and refresh.
    public var token: String

    public init(pipeline: String, stage: String, holder: String, deploymentId: DeploymentID,
                acquiredAt: Date, refreshedAt: Date, expiresAt: Date, token: String) {
        self.pipeline = pipeline
        self.stage = stage
        self.holder = holder
        self.deploymentId = deploymentId
        self.acquiredAt = acquiredAt
        self.refreshedAt = refreshedAt
        self.expiresAt = expiresAt
        self.token = token
    }

    /// Expired locks may be taken over. Times come from different machines: keep the TTL well
    /// above the clock skew between runners.
    public func isExpired(at now: Date) -> Bool { expiresAt < now }

    /// `stage web is locked by root@ci-7 pid 4242 for deployment d-AB12CD34E since 12:01:07
    /// (expires 12:03:07)`, times in `timeZone`.
    public func describe(timeZone: TimeZone = .current) -> String {
        "stage \(stage) is locked by \(holder) for deployment \(deploymentId) since "
            + "\(StateTime.clockTime(acquiredAt, in: timeZone)) (expires \(StateTime.clockTime(expiresAt, in: timeZone)))"
    }
}
