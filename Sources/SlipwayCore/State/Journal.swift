import Foundation
import SlipwayJSON
#if canImport(Glibc)
import Glibc
#endif

/// The step-by-step journal of one deployment, from which `slipway resume` finishes or rolls
/// back a deployment whose runner died.
///
/// Each entry is appended to `<workdir>/runs/<id>.jsonl` and fsynced before `append` returns,
/// so a SIGKILL loses at most the line being written (an unterminated last line, ignored on
/// read and cut off when the journal is reopened). The whole file is then uploaded to
/// `deployments/<pipeline>/<id>/journal.jsonl`, so resume also works on another machine.
///
/// Uploading the whole file on every entry costs O(entries²) bytes over a deployment. Journals
/// hold one line per step, plugin call and host — tens of KB — so this is a few MB at worst,
/// and in exchange there is no multi-object format to reassemble. If journals ever grow large,
/// switch to one object per batch of lines.
public actor Journal {
    public nonisolated let id: DeploymentID
    public nonisolated let pipeline: String
    public nonisolated let localPath: String
    public nonisolated let storeKey: String
    /// Every entry so far: those found when opening (a resumed deployment) and those appended.
    public private(set) var entries: [JournalEntry]

    private let store: any ArtifactStore
    private let clock: any StateClock
    private var descriptor: Int32

    /// `<workdir>/runs/<id>.jsonl`; the runner passes its `.slipway` folder as `workdir`.
    public static func localPath(workdir: String, id: DeploymentID) -> String {
        "\(workdir)/runs/\(id).jsonl"
    }

    /// Opens the journal for appending. An existing journal is continued: the local file if
    /// there is one, else the store's copy is downloaded first (resume on another machine).
    public static func open(id: DeploymentID, pipeline: String, workdir: String, store: any ArtifactStore,
                            clock: any StateClock = SystemStateClock()) async throws(JournalError) -> Journal {
        do { try StateKeys.check(pipeline: pipeline) } catch { throw .invalidName(error) }
        let path = localPath(workdir: workdir, id: id)
        let key = StateKeys.journal(pipeline: pipeline, id: id)
        try makeDirectory((path as NSString).deletingLastPathComponent)
        if !FileManager.default.fileExists(atPath: path) {
            do { try await store.getFile(key, to: path) } catch .notFound(_) {} catch { throw .store(error) }
        }
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, message: String(cString: strerror(errno))) }
        do throws(JournalError) {
            let parsed = try JournalLines.parse(try readFile(path), source: path)
            // Cut a torn last line off, or the next entry would be glued to it.
            guard ftruncate(descriptor, off_t(parsed.completeLength)) == 0 else {
                throw JournalError.io(path: path, message: String(cString: strerror(errno)))
            }
            syncDirectory(of: path)
            return Journal(id: id, pipeline: pipeline, localPath: path, storeKey: key, entries: parsed.entries,
                           store: store, clock: clock, descriptor: descriptor)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    private init(id: DeploymentID, pipeline: String, localPath: String, storeKey: String, entries: [JournalEntry],
                 store: any ArtifactStore, clock: any StateClock, descriptor: Int32) {
        self.id = id
        self.pipeline = pipeline
        self.localPath = localPath
        self.storeKey = storeKey
        self.entries = entries
        self.store = store
        self.clock = clock
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Appends one entry durably, then mirrors the journal to the store. On
    /// `.mirrorFailed` the entry is already durable locally and counted.
    @discardableResult
    public func append(_ kind: JournalEntry.Kind, _ data: ConfigValue = .null) async throws(JournalError) -> JournalEntry {
        guard descriptor >= 0 else { throw .io(path: localPath, message: "the journal is closed") }
        let entry = JournalEntry(seq: (entries.last?.seq ?? 0) + 1, time: StateTime.normalized(clock.now()), kind: kind, data: data)
        let line: Data
        do { line = try JournalLines.encode(entry) } catch {
            throw .io(path: localPath, message: "cannot encode entry: \(error)")
        }
        try writeDurably(line)
        entries.append(entry)
        do { try await store.putFile(storeKey, path: localPath) } catch { throw .mirrorFailed(entry: entry, error: error) }
        return entry
    }

    /// Closes the local file; later appends fail.
    public func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// The entries of a deployment's journal: the local file when there is one, else the
    /// store's copy. A torn last line is ignored.
    public static func read(id: DeploymentID, pipeline: String, workdir: String,
                            store: any ArtifactStore) async throws(JournalError) -> [JournalEntry] {
        do { try StateKeys.check(pipeline: pipeline) } catch { throw .invalidName(error) }
        let path = localPath(workdir: workdir, id: id)
        if FileManager.default.fileExists(atPath: path) {
            return try JournalLines.parse(try readFile(path), source: path).entries
        }
        let key = StateKeys.journal(pipeline: pipeline, id: id)
        let found: (data: Data, object: StoredObject)?
        do { found = try await store.get(key) } catch { throw .store(error) }
        guard let found else { throw .notFound(id) }
        return try JournalLines.parse(found.data, source: "\(store.location)/\(key)").entries
    }

    // MARK: Files

    private func writeDurably(_ line: Data) throws(JournalError) {
        let failure: Int32? = line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        if let failure { throw .io(path: localPath, message: String(cString: strerror(failure))) }
    }

    private static func readFile(_ path: String) throws(JournalError) -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .io(path: path, message: error.localizedDescription)
        }
    }

    private static func makeDirectory(_ path: String) throws(JournalError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .io(path: path, message: error.localizedDescription)
        }
    }

    /// A new journal file's directory entry must survive a crash too.
    private static func syncDirectory(of path: String) {
        let directory = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            Glibc.close(directory)
        }
    }
}
