import Foundation

/// One deployment at a time per stage, across machines, on any `ArtifactStore`.
///
/// The lock is a document created with `.ifAbsent` (atomic on every store). A lock whose
/// `expiresAt` has passed is taken over with `.ifMatch(<tag we read>)`, so of several contenders
/// that all saw the same expired lock exactly one replaces it. The holder refreshes it every
/// `ttl / 3` (see `LockLease`), so a live runner's lock never expires and a dead runner's lock
/// frees itself within `ttl`.
public struct StageLock: Sendable {
    public static let defaultTTL: Duration = .seconds(60)
    /// How many times in a row the lock may vanish or change hands under us within one attempt
    /// before we give up (`LockError.contended`) rather than spin.
    static let maximumRaces = 8

    public let store: any ArtifactStore
    public let ttl: Duration
    public let pollInterval: Duration
    public let holder: String
    public let clock: any StateClock

    public init(store: any ArtifactStore, ttl: Duration = StageLock.defaultTTL, pollInterval: Duration = .seconds(1),
                holder: String = HolderIdentity.current, clock: any StateClock = SystemStateClock()) {
        self.store = store
        self.ttl = ttl
        self.pollInterval = pollInterval
        self.holder = holder
        self.clock = clock
    }

    /// Takes the lock of `pipeline`/`stage` for `deploymentId`.
    ///
    /// - wait: how long to keep polling while someone else holds it; `.zero` fails at once with
    ///   `LockError.held`.
    /// - resuming: set by `slipway resume`. A lock held by the *same deployment* is taken over
    ///   even before it expires: resume is run on purpose by a person or CI after the runner that
    ///   held it died, and making them wait out the TTL helps no one. If that runner is in fact
    ///   still alive, its next refresh finds the lock replaced and reports it lost.
    /// - onLost: called once (from the refresh task) if the lock stops being ours; the runner
    ///   should then stop changing the stage.
    public func acquire(pipeline: String, stage: String, deploymentId: DeploymentID, wait: Duration = .zero,
                        resuming: Bool = false,
                        onLost: @escaping @Sendable (LockLoss) -> Void = { _ in }) async throws(LockError) -> LockLease {
        let key = try lockKey(pipeline: pipeline, stage: stage)
        let deadline = StateTime.adding(wait, to: clock.now())
        let token = UUID().uuidString
        var races = 0
        while true {
            let now = StateTime.normalized(clock.now())
            let mine = LockInfo(pipeline: pipeline, stage: stage, holder: holder, deploymentId: deploymentId,
                                acquiredAt: now, refreshedAt: now, expiresAt: StateTime.adding(ttl, to: now),
                                token: token)
            let body = try Self.encode(mine, key: key)
            if let written = try await put(key, body, .ifAbsent) {
                return startLease(key: key, info: mine, tag: written.tag, tookOverFrom: nil, onLost: onLost)
            }
            // It exists (or did a moment ago): look at it.
            guard let (current, tag) = try await read(key) else {
                races += 1
                if races > Self.maximumRaces { throw .contended(key: key) }
                continue
            }
            let ownResume = resuming && current.deploymentId == deploymentId
            if current.isExpired(at: now) || ownResume {
                if let written = try await put(key, body, .ifMatch(tag)) {
                    return startLease(key: key, info: mine, tag: written.tag, tookOverFrom: current, onLost: onLost)
                }
                // Another contender replaced it first: look again.
                races += 1
                if races > Self.maximumRaces { throw .contended(key: key) }
                continue
            }
            races = 0
            guard clock.now() < deadline else { throw .held(current) }
            do { try await clock.sleep(for: pollInterval) } catch { throw .cancelled }
        }
    }

    /// The lock of a stage as stored (expired or not), or nil when the stage is free.
    public func status(pipeline: String, stage: String) async throws(LockError) -> LockInfo? {
        try await read(try lockKey(pipeline: pipeline, stage: stage))?.info
    }

    /// Every lock of `pipeline` (or of all pipelines), for `slipway lock status`.
    public func locks(pipeline: String? = nil) async throws(LockError) -> [LockInfo] {
        if let pipeline, let problem = StateKeys.checkName(pipeline, kind: "pipeline") { throw .invalidName(problem) }
        let keys: [String]
        do { keys = try await store.list(prefix: StateKeys.locks(pipeline: pipeline)) } catch { throw .store(error) }
        var found: [LockInfo] = []
        for key in keys where key.hasSuffix(".json") {
            if let (info, _) = try await read(key) { found.append(info) }
        }
        return found
    }

    /// Releases the lock only when it belongs to `deploymentId` (for a runner that lost its
    /// lease object, e.g. after finishing a resumed deployment). Someone else's lock is refused
    /// with `.held`. Returns false when the stage was not locked.
    @discardableResult
    public func release(pipeline: String, stage: String, deploymentId: DeploymentID) async throws(LockError) -> Bool {
        let key = try lockKey(pipeline: pipeline, stage: stage)
        guard let (current, _) = try await read(key) else { return false }
        guard current.deploymentId == deploymentId else { throw .held(current) }
        do { try await store.delete(key) } catch { throw .store(error) }
        return true
    }

    /// `slipway lock release`: removes the lock whoever holds it, returning what was there.
    /// A live holder notices at its next refresh (`LockLoss.removed`). An unreadable lock is
    /// removed too: that is the way out of a corrupt lock document.
    @discardableResult
    public func forceRelease(pipeline: String, stage: String) async throws(LockError) -> LockInfo? {
        let key = try lockKey(pipeline: pipeline, stage: stage)
        let previous: LockInfo?
        do { previous = try await read(key)?.info } catch .unreadable { previous = nil }
        do { try await store.delete(key) } catch { throw .store(error) }
        return previous
    }

    // MARK: Helpers

    private func lockKey(pipeline: String, stage: String) throws(LockError) -> String {
        do { try StateKeys.check(pipeline: pipeline, stage: stage) } catch { throw .invalidName(error) }
        return StateKeys.lock(pipeline: pipeline, stage: stage)
    }

    private func startLease(key: String, info: LockInfo, tag: String, tookOverFrom: LockInfo?,
                            onLost: @escaping @Sendable (LockLoss) -> Void) -> LockLease {
        let lease = LockLease(store: store, key: key, info: info, tag: tag, ttl: ttl, clock: clock,
                              tookOverFrom: tookOverFrom, onLost: onLost)
        lease.startRefreshing(every: ttl / 3)
        return lease
    }

    /// The written object, or nil when the condition failed.
    private func put(_ key: String, _ body: Data, _ condition: WriteCondition) async throws(LockError) -> StoredObject? {
        do {
            return try await store.put(key, data: body, condition: condition)
        } catch .preconditionFailed {
            return nil
        } catch {
            throw .store(error)
        }
    }

    private func read(_ key: String) async throws(LockError) -> (info: LockInfo, tag: String)? {
        try await Self.read(key, from: store)
    }

    static func read(_ key: String, from store: any ArtifactStore) async throws(LockError) -> (info: LockInfo, tag: String)? {
        let found: (data: Data, object: StoredObject)?
        do { found = try await store.get(key) } catch { throw .store(error) }
        guard let found else { return nil }
        do {
            return (try StateJSON.decode(LockInfo.self, from: found.data), found.object.tag)
        } catch {
            throw .unreadable(key: key, message: StateJSON.explain(error))
        }
    }

    static func encode(_ info: LockInfo, key: String) throws(LockError) -> Data {
        do { return try StateJSON.encode(info) } catch { throw .unreadable(key: key, message: "\(error)") }
    }
}
