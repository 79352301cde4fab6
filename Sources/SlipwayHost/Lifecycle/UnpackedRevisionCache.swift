import Foundation
import Synchronization

/// A revision unpacked once on the runner, with its checked appspec: what planning reads.
public struct UnpackedRevision: Sendable {
    public var bundle: LocalBundle
    public var appSpec: AppSpec
    /// The appspec's warnings; each host still reports them (they belong in its log).
    public var warnings: [String]
}

/// Unpacks each revision once per process and lends it to every host that deploys it.
///
/// WHY: a fleet deploy plans every host from the same archive; unpacking it again for each
/// host (50 identical extractions for 50 hosts) was the largest runner cost per host. Hosts of a
/// batch run concurrently: the first one starts the extraction, the others wait for the same
/// task. Hosts only read the folder (uploads send the archive itself), so sharing it is safe.
///
/// A folder lives while a host holds a lease on it; an idle one is kept for the next batch
/// (and for a rollback to it) until more than `idleCapacity` revisions are idle, then the oldest
/// goes. Everything left is removed when the process exits. The extraction itself is
/// `LocalBundle.unpack`, so the safe-extraction rules are unchanged.
public final class UnpackedRevisionCache: Sendable {
    /// The one cache of a plugin process (registered for removal at exit).
    public static let shared: UnpackedRevisionCache = {
        ScratchFolders.sweep(in: NSTemporaryDirectory(), scratchPrefix)
        let cache = UnpackedRevisionCache()
        atexit { UnpackedRevisionCache.shared.removeAll() }
        return cache
    }()

    /// `slipway-revisions-<pid>.<uuid>`: a killed runner's folder is removed by the next one.
    static let scratchPrefix = "slipway-revisions-"

    private struct Entry {
        let folder: String
        let task: Task<Result<UnpackedRevision, PlanError>, Never>
        var leases: Int
        var lastReleased: UInt64
    }

    private let idleCapacity: Int
    private let root: String
    private let entries = Mutex<(byKey: [String: Entry], clock: UInt64)>(([:], 0))

    /// `root` is where the scratch folders go (a fresh folder under the temporary directory by default).
    public init(idleCapacity: Int = 2, root: String? = nil) {
        self.idleCapacity = idleCapacity
        self.root = root ?? ScratchFolders.namePrefix(in: NSTemporaryDirectory(), Self.scratchPrefix) + UUID().uuidString
    }

    /// A lease on a revision: use `revision` until `release()` (call it exactly once).
    public struct Lease: Sendable {
        public let revision: UnpackedRevision
        let key: String
        let cache: UnpackedRevisionCache
        public func release() { cache.release(key) }
    }

    /// The revision `sha256` (at `archive`, in `format`) unpacked and its appspec loaded, extracting
    /// only if no host of this process has it yet. A failed extraction fails every waiting host
    /// and is not kept: the next host after them tries again.
    public func lease(archive: String, format: String, sha256: String) async throws(PlanError) -> Lease {
        // The path is part of the key so two archives claiming one digest never share a folder.
        let key = sha256 + "|" + format + "|" + archive
        let root = root
        let (task, folder) = entries.withLock { state -> (Task<Result<UnpackedRevision, PlanError>, Never>, String) in
            if var entry = state.byKey[key] {
                entry.leases += 1
                state.byKey[key] = entry
                return (entry.task, entry.folder)
            }
            let folder = root + "/" + UUID().uuidString
            let task = Task.detached { () -> Result<UnpackedRevision, PlanError> in
                Result { () throws(PlanError) -> UnpackedRevision in
                    try Self.unpack(archive: archive, format: format, folder: folder)
                }
            }
            state.byKey[key] = Entry(folder: folder, task: task, leases: 1, lastReleased: 0)
            return (task, folder)
        }
        switch await task.value {
        case .success(let revision):
            return Lease(revision: revision, key: key, cache: self)
        case .failure(let error):
            // A failure is not kept: its folder may be half-written and nobody uses it. The first
            // waiter to see it forgets the entry, so a later host tries again.
            entries.withLock { state in
                if state.byKey[key]?.folder == folder { state.byKey[key] = nil }
            }
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    private static func unpack(archive: String, format: String, folder: String) throws(PlanError) -> UnpackedRevision {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PlanError("cannot create a scratch folder \(folder): \(error.localizedDescription)")
        }
        let bundle = try LocalBundle.unpack(archive: archive, format: format, into: folder + "/bundle")
        let loaded = try AppSpecFile.load(bundle: bundle)
        return UnpackedRevision(bundle: bundle, appSpec: loaded.appSpec, warnings: loaded.warnings)
    }

    private func release(_ key: String) {
        let doomed: [String] = entries.withLock { state in
            guard var entry = state.byKey[key] else { return [] }
            entry.leases -= 1
            state.clock += 1
            entry.lastReleased = state.clock
            state.byKey[key] = entry
            guard entry.leases == 0 else { return [] }
            var removed: [String] = []
            let idle = state.byKey.filter { $0.value.leases == 0 }.sorted { $0.value.lastReleased < $1.value.lastReleased }
            for (oldKey, old) in idle.prefix(max(0, idle.count - idleCapacity)) {
                state.byKey[oldKey] = nil
                removed.append(old.folder)
            }
            return removed
        }
        for folder in doomed { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Removes every folder, leased or not (at process exit).
    public func removeAll() {
        entries.withLock { $0.byKey = [:] }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// How many revisions are unpacked right now (for tests and diagnostics).
    public var count: Int { entries.withLock { $0.byKey.count } }
}
