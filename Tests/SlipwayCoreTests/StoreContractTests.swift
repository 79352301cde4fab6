import Foundation
import Testing
@testable import SlipwayCore
@testable import SlipwayAWS
import SlipwayTestSupport

/// One suite, every store: what the runner relies on holds for file:// and s3:// alike.
@Suite struct StoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func putGetHeadAndDelete(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.head("a/b.txt") == nil)
        #expect(try await store.get("a/b.txt") == nil)
        let written = try await store.put("a/b.txt", data: Data("hello".utf8), condition: .none)
        #expect(written.size == 5)
        let read = try #require(try await store.get("a/b.txt"))
        #expect(read.data == Data("hello".utf8))
        #expect(read.object == written)
        #expect(try await store.head("a/b.txt") == written)
        try await store.delete("a/b.txt")
        #expect(try await store.head("a/b.txt") == nil)
        try await store.delete("a/b.txt")  // deleting a missing key is fine
    }

    @Test(arguments: StoreKind.allCases)
    func conditionalCreateHasExactlyOneWinner(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let results = await contend(kind, 6) { index in
            do {
                try await store.put("locks/stage", data: Data("holder \(index)".utf8), condition: .ifAbsent)
                return true
            } catch let error as StoreError {
                #expect(error == .preconditionFailed(key: "locks/stage"))
                return false
            } catch {
                Issue.record("unexpected error \(error)")
                return false
            }
        }
        #expect(results.filter { $0 }.count == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func compareAndSwapRefusesAStaleVersion(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let first = try await store.put("state.json", data: Data("1".utf8), condition: .none)
        let second = try await store.put("state.json", data: Data("2".utf8), condition: .ifMatch(first.tag))
        #expect(second.tag != first.tag)
        await #expect(throws: StoreError.preconditionFailed(key: "state.json")) {
            try await store.put("state.json", data: Data("3".utf8), condition: .ifMatch(first.tag))
        }
        #expect(try await store.get("state.json")?.data == Data("2".utf8))
    }

    @Test(arguments: StoreKind.allCases)
    func filesRoundTripAndListingIsSortedByPrefix(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = [UInt8](repeating: 0, count: 3 * 1024 * 1024 + 17)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 9) }
        let source = directory + "/in.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        let object = try await store.putFile("revisions/x.tar.gz", path: source)
        #expect(object.size == Int64(bytes.count))
        try await store.getFile("revisions/x.tar.gz", to: directory + "/out.bin")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/out.bin")) == Data(bytes))
        for key in ["p/b", "p/a", "q/c", "p/sub/d"] {
            try await store.put(key, data: Data(key.utf8), condition: .none)
        }
        #expect(try await store.list(prefix: "p/") == ["p/a", "p/b", "p/sub/d"])
        await #expect(throws: StoreError.notFound(key: "missing")) {
            try await store.getFile("missing", to: directory + "/none")
        }
    }

    /// A revision archive goes up with its SHA-256 (on S3: one PUT, the digest signed as the
    /// payload hash instead of a Content-MD5 pass).
    @Test(arguments: StoreKind.allCases)
    func aFileWithItsDigestRoundTrips(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ $0 >> 7) })
        try bytes.write(to: URL(fileURLWithPath: directory + "/in.tgz"))
        let object = try await store.putFile("revisions/y.tar.gz", path: directory + "/in.tgz", sha256: Digests.sha256Hex(bytes))
        #expect(object.size == Int64(bytes.count))
        try await store.getFile("revisions/y.tar.gz", to: directory + "/out.tgz")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/out.tgz")) == bytes)
    }

    @Test(arguments: StoreKind.allCases)
    func keysCannotEscapeTheStore(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        for key in ["../x", "a/../../x", "/abs", "a//b", ""] {
            await #expect(throws: StoreError.invalidKey(key)) {
                try await store.put(key, data: Data(), condition: .none)
            }
        }
    }
}

enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case file, s3

    var testDescription: String { rawValue }

    var arbitratesConcurrentWrites: Bool { self == .file }

    /// A fresh, empty store: a temporary folder, or a new bucket on the emulator (with a
    /// prefix, so key mapping under a prefix is exercised too).
    func make() async throws -> any ArtifactStore {
        switch self {
        case .file:
            return FileStore(root: try temporaryDirectory())
        case .s3:
            let endpoint = try await SharedMoto.endpoint()
            let bucket = uniqueBucketName("store")
            let environment = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
                               "HOME": "/nonexistent"]
            // Small parts so the contract's 3 MiB file goes through a real multipart upload.
            let store = try S3Store(bucket: bucket, prefix: "team/app", region: "us-east-1", endpoint: endpoint, environment: environment,
                                    transferOptions: S3TransferOptions(multipartThreshold: 1 << 20, partSize: 5 << 20, maxConcurrentParts: 2))
            try await store.s3.createBucket(bucket)
            return store
        }
    }
}

/// Runs `count` contenders for the same key. At once where the server arbitrates concurrent
/// conditional writes; one after another on the emulator, whose If-None-Match / If-Match check
/// and write are two unlocked steps (two concurrent creates can both succeed there; on S3 they
/// cannot), so that what is tested is the store's logic, not the emulator's race.
func contend<T: Sendable>(_ kind: StoreKind, _ count: Int, _ body: @escaping @Sendable (Int) async -> T) async -> [T] {
    guard kind.arbitratesConcurrentWrites else {
        var results: [T] = []
        for index in 0..<count { results.append(await body(index)) }
        return results
    }
    return await withTaskGroup(of: T.self) { group in
        for index in 0..<count { group.addTask { await body(index) } }
        return await group.reduce(into: []) { $0.append($1) }
    }
}

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
