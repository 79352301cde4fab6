import Foundation
import Synchronization
import Testing
import SlipwayEvents
@testable import SlipwayCore

@Suite struct RevisionPusherTests {
    /// A project with an app folder and a pipeline storing into a local folder.
    func makeProject(format: String = "tgz") throws -> (pipeline: Pipeline, root: String) {
        let root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/app/static", withIntermediateDirectories: true)
        try "print('hi')\n".write(toFile: root + "/app/main.py", atomically: true, encoding: .utf8)
        try "body {}\n".write(toFile: root + "/app/static/site.css", atomically: true, encoding: .utf8)
        try "debug\n".write(toFile: root + "/app/debug.log", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        let text = "name: web\nrevision: {source: app, format: \(format), exclude: ['*.log']}\nstore: file://store\n"
        try text.write(toFile: root + "/pipelines/web.yml", atomically: true, encoding: .utf8)
        let pipeline = try PipelineLoader(environment: [:]).load(path: root + "/pipelines/web.yml").pipeline
        return (pipeline, root)
    }

    @Test func pushUploadsOnceAndSkipsAnUnchangedTree() async throws {
        let (pipeline, root) = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = FileStore(root: root + "/store")
        let events = RecordingSink()
        let pusher = RevisionPusher(pipeline: pipeline, store: store, sink: events)

        let first = try await pusher.push()
        #expect(first.uploaded)
        #expect(!first.packaged.reused)
        #expect(first.packaged.metadata.fileCount == 2)  // the .log is excluded
        #expect(first.packaged.path == root + "/.slipway/revisions/\(first.packaged.metadata.sha256).tar.gz")
        let key = "revisions/\(first.packaged.metadata.sha256).tar.gz"
        #expect(try await store.head(key)?.size == first.packaged.metadata.size)
        // The store's copy is the packaged archive, byte for byte.
        #expect(FileManager.default.contentsEqual(atPath: root + "/store/" + key, andPath: first.packaged.path))

        let second = try await pusher.push()
        #expect(!second.uploaded)
        #expect(second.packaged.reused)
        #expect(second.packaged.metadata.sha256 == first.packaged.metadata.sha256)
        #expect(events.events.contains { $0.message.contains("nothing to upload") })

        let revisions = try await listRevisions(pipeline: "web", store: store)
        #expect(revisions.map(\.sha256) == [first.packaged.metadata.sha256])
    }

    /// The store is handed the archive's SHA-256 (the revision id) with the upload, so that S3
    /// can check the bytes it receives against it (S3RequestShapeTests shows it on the wire).
    @Test func theUploadCarriesTheRevisionDigest() async throws {
        let (pipeline, root) = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = DigestRecordingStore(FileStore(root: root + "/store"))
        let pushed = try await RevisionPusher(pipeline: pipeline, store: store, sink: RecordingSink()).push()
        #expect(store.uploads == [DigestRecordingStore.Upload(key: pushed.packaged.metadata.key, sha256: pushed.packaged.metadata.sha256)])
    }

    @Test func aChangedTreeIsANewRevision() async throws {
        let (pipeline, root) = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = FileStore(root: root + "/store")
        let pusher = RevisionPusher(pipeline: pipeline, store: store, sink: RecordingSink())
        let first = try await pusher.push()
        try "print('changed')\n".write(toFile: root + "/app/main.py", atomically: true, encoding: .utf8)
        let second = try await pusher.push()
        #expect(second.uploaded)
        #expect(!second.packaged.reused)
        #expect(second.packaged.metadata.sha256 != first.packaged.metadata.sha256)
        let revisions = try await listRevisions(pipeline: "web", store: store)
        #expect(Set(revisions.map(\.sha256)) == [first.packaged.metadata.sha256, second.packaged.metadata.sha256])
    }

    @Test func theSameTreeGivesTheSameRevisionAnywhere() throws {
        let (one, rootOne) = try makeProject(format: "zip")
        let (two, rootTwo) = try makeProject(format: "zip")
        defer {
            try? FileManager.default.removeItem(atPath: rootOne)
            try? FileManager.default.removeItem(atPath: rootTwo)
        }
        let a = try RevisionPusher(pipeline: one, store: FileStore(root: rootOne + "/store"), sink: RecordingSink()).package()
        let b = try RevisionPusher(pipeline: two, store: FileStore(root: rootTwo + "/store"), sink: RecordingSink()).package()
        #expect(a.metadata.sha256 == b.metadata.sha256)
        #expect(a.metadata.format == .zip)
    }

    @Test func packagingErrorsAreReported() throws {
        let (pipeline, root) = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/app/escape", withDestinationPath: "/etc/passwd")
        #expect(throws: RevisionError.self) {
            try RevisionPusher(pipeline: pipeline, store: FileStore(root: root + "/store"), sink: RecordingSink()).package()
        }
    }
}

/// A file store that remembers which digests its uploads came with.
final class DigestRecordingStore: ArtifactStore, Sendable {
    struct Upload: Equatable { var key: String; var sha256: String? }
    let base: FileStore
    private let recorded = Mutex<[Upload]>([])

    init(_ base: FileStore) { self.base = base }

    var uploads: [Upload] { recorded.withLock { $0 } }
    var location: String { base.location }
    func head(_ key: String) async throws(StoreError) -> StoredObject? { try await base.head(key) }
    func get(_ key: String) async throws(StoreError) -> (data: Data, object: StoredObject)? { try await base.get(key) }
    func put(_ key: String, data: Data, condition: WriteCondition) async throws(StoreError) -> StoredObject {
        try await base.put(key, data: data, condition: condition)
    }
    func putFile(_ key: String, path: String, sha256: String?) async throws(StoreError) -> StoredObject {
        recorded.withLock { $0.append(Upload(key: key, sha256: sha256)) }
        return try await base.putFile(key, path: path, sha256: sha256)
    }
    func getFile(_ key: String, to path: String) async throws(StoreError) { try await base.getFile(key, to: path) }
    func list(prefix: String) async throws(StoreError) -> [String] { try await base.list(prefix: prefix) }
    func delete(_ key: String) async throws(StoreError) { try await base.delete(key) }
}
