import Foundation
import Testing
@testable import SlipwayCore

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
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<6 {
                group.addTask {
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
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
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
    case file

    var testDescription: String { rawValue }

    func make() async throws -> any ArtifactStore {
        switch self {
        case .file:
            return FileStore(root: try temporaryDirectory())
        }
    }
}

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
