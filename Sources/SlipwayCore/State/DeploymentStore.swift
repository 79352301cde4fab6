import Foundation

/// Deployment records, stage history and last successful revisions on any `ArtifactStore`
/// (key layout: `StateKeys`).
///
/// Records are written with compare-and-swap: `save` takes the tag the caller last read or
/// wrote, so a runner that lost its stage lock cannot overwrite the record of the runner that
/// took over (it gets `StateError.conflict`). Conflicts are not retried here on purpose: the
/// writer that lost must re-read and decide, not blindly re-apply.
public struct DeploymentStore: Sendable {
    public let store: any ArtifactStore

    public init(store: any ArtifactStore) {
        self.store = store
    }

    /// Starts a record for a new deployment: `previousRevision` is the stage's last successful
    /// revision right now.
    public func begin(id: DeploymentID = .random(), pipeline: String, stage: String, targetType: String,
                      revision: String, reason: String? = nil, rollbackOf: DeploymentID? = nil,
                      startedAt: Date = Date()) async throws(StateError) -> StoredRecord {
        let previous = try await lastSuccessful(pipeline: pipeline, stage: stage)
        return try await create(DeploymentRecord(
            id: id, pipeline: pipeline, stage: stage, targetType: targetType, revision: revision,
            previousRevision: previous?.revision, reason: reason, rollbackOf: rollbackOf, startedAt: startedAt))
    }

    /// Stores a new record. The by-id index entry is created first with `.ifAbsent`: it is what
    /// makes ids unique across pipelines. A crash between the three writes leaves at worst an
    /// index entry or a record without history marker; readers skip what they cannot follow.
    public func create(_ record: DeploymentRecord) async throws(StateError) -> StoredRecord {
        try StateKeys.check(pipeline: record.pipeline, stage: record.stage)
        let index = ByIDEntry(pipeline: record.pipeline, stage: record.stage)
        guard try await put(StateKeys.byID(record.id), try encode(index, key: StateKeys.byID(record.id)), .ifAbsent) != nil else {
            throw .alreadyExists(record.id)
        }
        let key = StateKeys.record(pipeline: record.pipeline, id: record.id)
        let body = try encode(record, key: key)
        guard let written = try await put(key, body, .ifAbsent) else {
            throw .alreadyExists(record.id)
        }
        let marker = StateKeys.historyMarker(pipeline: record.pipeline, stage: record.stage,
                                             startedAt: record.startedAt, id: record.id)
        _ = try await put(marker, Data(), .none)
        if record.status == .succeeded { try await setLastSuccessful(from: record) }
        return StoredRecord(record: try asStored(body, key: key), tag: written.tag)
    }

    /// Replaces the record if it is still at `tag`; `StateError.conflict` otherwise. Saving a
    /// `succeeded` record also moves the stage's last-successful pointer to it (after the
    /// record, so the pointer never names a record that is not stored as succeeded).
    public func save(_ record: DeploymentRecord, replacing tag: String) async throws(StateError) -> StoredRecord {
        try StateKeys.check(pipeline: record.pipeline, stage: record.stage)
        let key = StateKeys.record(pipeline: record.pipeline, id: record.id)
        let body = try encode(record, key: key)
        guard let written = try await put(key, body, .ifMatch(tag)) else {
            throw .conflict(key: key)
        }
        if record.status == .succeeded { try await setLastSuccessful(from: record) }
        return StoredRecord(record: try asStored(body, key: key), tag: written.tag)
    }

    /// Points the stage's last successful revision at `record` (what `save` does for a
    /// succeeded record; public so `resume` can repair a pointer a crash left behind).
    public func setLastSuccessful(from record: DeploymentRecord) async throws(StateError) {
        try StateKeys.check(pipeline: record.pipeline, stage: record.stage)
        let key = StateKeys.lastSuccessful(pipeline: record.pipeline, stage: record.stage)
        let pointer = LastSuccessful(revision: record.revision, deploymentId: record.id,
                                     at: record.finishedAt ?? record.startedAt)
        _ = try await put(key, try encode(pointer, key: key), .none)
    }

    public func load(pipeline: String, id: DeploymentID) async throws(StateError) -> StoredRecord? {
        try StateKeys.check(pipeline: pipeline)
        let key = StateKeys.record(pipeline: pipeline, id: id)
        guard let (record, tag) = try await read(DeploymentRecord.self, key) else { return nil }
        return StoredRecord(record: record, tag: tag)
    }

    /// Finds a deployment by id alone (`slipway status d-…`, `slipway resume d-…`).
    public func record(id: DeploymentID) async throws(StateError) -> StoredRecord? {
        guard let (entry, _) = try await read(ByIDEntry.self, StateKeys.byID(id)) else { return nil }
        return try await load(pipeline: entry.pipeline, id: id)
    }

    /// Deployments of `pipeline` (of one `stage`, or all its stages), newest first by start
    /// time. Reads only the records it returns.
    public func history(pipeline: String, stage: String? = nil, limit: Int? = nil) async throws(StateError) -> [DeploymentRecord] {
        try StateKeys.check(pipeline: pipeline, stage: stage)
        let keys: [String]
        do { keys = try await store.list(prefix: StateKeys.historyPrefix(pipeline: pipeline)) } catch { throw .store(error) }
        let markers = keys.compactMap { StateKeys.parseHistoryMarker($0, pipeline: pipeline) }
            .filter { stage == nil || $0.stage == stage }
            .sorted { $0.name > $1.name }
        var records: [DeploymentRecord] = []
        for marker in markers {
            if let limit, records.count >= limit { break }
            if let stored = try await load(pipeline: pipeline, id: marker.id) { records.append(stored.record) }
        }
        return records
    }

    public func lastSuccessful(pipeline: String, stage: String) async throws(StateError) -> LastSuccessful? {
        try StateKeys.check(pipeline: pipeline, stage: stage)
        return try await read(LastSuccessful.self, StateKeys.lastSuccessful(pipeline: pipeline, stage: stage))?.value
    }

    // MARK: Helpers

    /// `deployments/by-id/<id>.json`.
    struct ByIDEntry: Codable {
        var pipeline: String
        var stage: String
    }

    /// The written object, or nil when the condition failed.
    private func put(_ key: String, _ body: Data, _ condition: WriteCondition) async throws(StateError) -> StoredObject? {
        do {
            return try await store.put(key, data: body, condition: condition)
        } catch .preconditionFailed {
            return nil
        } catch {
            throw .store(error)
        }
    }

    private func read<T: Decodable>(_ type: T.Type, _ key: String) async throws(StateError) -> (value: T, tag: String)? {
        let found: (data: Data, object: StoredObject)?
        do { found = try await store.get(key) } catch { throw .store(error) }
        guard let found else { return nil }
        do {
            return (try StateJSON.decode(type, from: found.data), found.object.tag)
        } catch {
            throw .corrupt(key: key, message: StateJSON.explain(error))
        }
    }

    /// The record as any reader will decode it (times at millisecond precision), so the
    /// returned value compares equal to a later `load`.
    private func asStored(_ body: Data, key: String) throws(StateError) -> DeploymentRecord {
        do { return try StateJSON.decode(DeploymentRecord.self, from: body) } catch {
            throw .corrupt(key: key, message: StateJSON.explain(error))
        }
    }

    private func encode<T: Encodable>(_ value: T, key: String) throws(StateError) -> Data {
        do { return try StateJSON.encode(value) } catch { throw .corrupt(key: key, message: "\(error)") }
    }
}
