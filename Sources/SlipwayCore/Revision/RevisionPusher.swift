import Foundation
import SlipwayArchive
import SlipwayEvents

/// Packages a pipeline's revision and pushes it to the store, doing no work twice: an unchanged
/// tree is recognised by its fingerprint (no re-packaging), and an archive the store already
/// holds is not uploaded again.
public struct RevisionPusher: Sendable {
    public var pipeline: Pipeline
    public var store: any ArtifactStore
    public var sink: any EventSink
    /// Local working folder: packaged archives and the fingerprint cache (`.slipway`).
    public var workDirectory: String

    public init(pipeline: Pipeline, store: any ArtifactStore, sink: any EventSink, workDirectory: String? = nil) {
        self.pipeline = pipeline
        self.store = store
        self.sink = sink
        self.workDirectory = workDirectory ?? pipeline.root + "/.slipway"
    }

    public struct Packaged: Sendable {
        public var path: String
        public var metadata: RevisionMetadata
        /// True when an unchanged tree's earlier archive was reused.
        public var reused: Bool
    }

    public struct Pushed: Sendable {
        public var packaged: Packaged
        /// False when the store already held the archive.
        public var uploaded: Bool
        public var location: String
    }

    var scope: String { "package/\(pipeline.name)" }

    /// Packages the revision into `.slipway/revisions/<sha256>.<ext>` (or reuses it when the tree
    /// is unchanged since it was last packaged).
    public func package(output: String? = nil) throws(RevisionError) -> Packaged {
        let format = ArchiveFormat(pipeline.revision.format)
        // Slipway's own state and the repository's history are never part of a revision.
        let options = PackageOptions(format: format, include: pipeline.revision.include,
                                     exclude: pipeline.revision.exclude + [".slipway", ".git"])
        let revisionsDirectory = workDirectory + "/revisions"
        try makeDirectory(revisionsDirectory)
        let started = ContinuousClock.now
        let gitCommit = GitInfo.headCommit(in: pipeline.revision.source)
        let fingerprint = try? Packager.fingerprint(source: pipeline.revision.source, options: options)
        let cache = FingerprintCache(path: workDirectory + "/cache/fingerprints.json")

        if output == nil, let fingerprint, let known = cache.lookup(fingerprint.digest),
           FileManager.default.fileExists(atPath: known.path),
           (try? FileManager.default.attributesOfItem(atPath: known.path)[.size] as? Int64) == known.metadata.size {
            sink.emit(.info("tree unchanged since \(known.metadata.shortID) was packaged: reusing \(known.path)", scope: scope))
            return Packaged(path: known.path, metadata: known.metadata, reused: true)
        }

        sink.emit(.stepStarted(scope: scope, message: "packaging \(relative(pipeline.revision.source)) as \(format.rawValue)"))
        let temporary = revisionsDirectory + "/.packaging-\(getpid()).\(format.fileExtension)"
        let result: PackageResult
        do {
            let sink = self.sink, scope = self.scope
            result = try Packager.package(source: pipeline.revision.source, to: output ?? temporary, options: options,
                                          totals: fingerprint?.totals) { progress in
                guard progress.bytesTotal > 64 << 20 else { return }
                let percent = progress.bytesTotal == 0 ? 100 : Int(progress.bytesDone * 100 / progress.bytesTotal)
                sink.emit(.stageProgress(scope: scope, message: "packaging: \(percent)% (\(progress.filesDone)/\(progress.filesTotal) files)"))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            sink.emit(.stepFinished(scope: scope, status: .failed, duration: seconds(since: started), message: error.description))
            throw .packaging(error.description)
        }
        var path = output ?? temporary
        if output == nil {
            path = revisionsDirectory + "/\(result.sha256).\(format.fileExtension)"
            guard rename(temporary, path) == 0 else {
                throw .io("cannot move the archive to \(path): \(String(cString: strerror(errno)))")
            }
        }
        let metadata = RevisionMetadata(sha256: result.sha256, pipeline: pipeline.name, format: format, size: result.size,
                                        fileCount: result.fileCount, gitCommit: gitCommit, createdAt: Date(),
                                        key: RevisionLayout.archiveKey(sha256: result.sha256, format: format))
        if output == nil, let fingerprint { cache.record(fingerprint.digest, path: path, metadata: metadata) }
        sink.emit(.stepFinished(scope: scope, status: .succeeded, duration: seconds(since: started),
                                message: "\(metadata.shortID): \(result.fileCount) files, \(ByteCount.format(result.size))"))
        return Packaged(path: path, metadata: metadata, reused: false)
    }

    /// Packages (or reuses) and uploads the revision and its metadata, unless already stored.
    public func push() async throws(RevisionError) -> Pushed {
        let packaged = try package()
        let metadata = packaged.metadata
        let pushScope = "push/\(pipeline.name)"
        let started = ContinuousClock.now
        let location = store.location + "/" + metadata.key
        let uploaded: Bool
        do {
            uploaded = try await store.head(metadata.key)?.size != metadata.size
        } catch {
            throw .store(error.description)
        }
        if uploaded {
            sink.emit(.stepStarted(scope: pushScope, message: "uploading \(metadata.shortID) (\(ByteCount.format(metadata.size))) to \(store.location)"))
        } else {
            sink.emit(.info("\(metadata.shortID) is already in \(store.location): nothing to upload", scope: pushScope))
        }
        try await Self.store(metadata, archive: packaged.path, in: store, archiveStored: !uploaded)
        if uploaded {
            sink.emit(.stepFinished(scope: pushScope, status: .succeeded, duration: seconds(since: started), message: "uploaded \(metadata.key)"))
        }
        return Pushed(packaged: packaged, uploaded: uploaded, location: location)
    }

    /// Stores an archive and its metadata as a revision, skipping what the store already has.
    /// `archiveStored`: whether the caller has just looked (nil: look here). The archive's
    /// SHA-256 goes with the upload: the revision id is what the store checks the bytes against.
    public static func store(_ metadata: RevisionMetadata, archive: String, in store: any ArtifactStore,
                             archiveStored: Bool? = nil) async throws(RevisionError) {
        do {
            let present: Bool
            if let archiveStored { present = archiveStored } else { present = try await store.head(metadata.key)?.size == metadata.size }
            if !present {
                try await store.putFile(metadata.key, path: archive, sha256: metadata.sha256)
            }
            let metadataKey = RevisionLayout.metadataKey(pipeline: metadata.pipeline, sha256: metadata.sha256)
            if try await store.head(metadataKey) == nil {
                try await store.put(metadataKey, data: try RevisionJSON.encoder.encode(metadata), condition: .none)
            }
        } catch let error as StoreError {
            throw .store(error.description)
        } catch {
            throw .io("cannot encode revision metadata: \(error)")
        }
    }

    func makeDirectory(_ path: String) throws(RevisionError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(path): \(error.localizedDescription)")
        }
    }

    func relative(_ path: String) -> String {
        path == pipeline.root ? "." : path.hasPrefix(pipeline.root + "/") ? String(path.dropFirst(pipeline.root.count + 1)) : path
    }
}

/// A pipeline's revisions as recorded in the store, newest first.
public func listRevisions(pipeline: String, store: any ArtifactStore) async throws(RevisionError) -> [RevisionMetadata] {
    do {
        var revisions: [RevisionMetadata] = []
        for key in try await store.list(prefix: RevisionLayout.metadataPrefix(pipeline: pipeline)) where key.hasSuffix(".json") {
            guard let (data, _) = try await store.get(key) else { continue }
            guard let metadata = try? RevisionJSON.decoder.decode(RevisionMetadata.self, from: data) else {
                throw RevisionError.store("\(key) in \(store.location) is not a revision record")
            }
            revisions.append(metadata)
        }
        return revisions.sorted { $0.createdAt > $1.createdAt }
    } catch let error as StoreError {
        throw .store(error.description)
    } catch let error as RevisionError {
        throw error
    } catch {
        throw .store("\(error)")
    }
}

public enum RevisionError: Error, Sendable, Equatable, CustomStringConvertible {
    case packaging(String)
    case store(String)
    case io(String)

    public var description: String {
        switch self {
        case .packaging(let message): "packaging failed: \(message)"
        case .store(let message): "store: \(message)"
        case .io(let message): message
        }
    }
}

enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
