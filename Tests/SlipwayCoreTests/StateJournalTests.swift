import Foundation
import Testing
@testable import SlipwayCore

@Suite struct StateJournalTests {
    @Test(arguments: StoreKind.allCases)
    func appendedEntriesReadBackLocallyAndFromTheStoreCopy(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let workdir = try temporaryDirectory()
        let id = DeploymentID.random()
        let journal = try await Journal.open(id: id, pipeline: "web", workdir: workdir, store: store)
        try await journal.append(.started, ["revision": .string(stateSHA1)])
        try await journal.append(.pluginState, ["state": ["taskSet": "ts-1", "version": 42]])
        let last = try await journal.append(.weight, ["percent": 10])
        #expect(last.seq == 3)
        let written = await journal.entries
        #expect(written.map(\.kind) == [.started, .pluginState, .weight])
        await journal.close()

        #expect(try await Journal.read(id: id, pipeline: "web", workdir: workdir, store: store) == written)
        let local = try Data(contentsOf: URL(fileURLWithPath: Journal.localPath(workdir: workdir, id: id)))
        #expect(try await store.get("deployments/web/\(id)/journal.jsonl")?.data == local)
        #expect(String(decoding: local, as: UTF8.self).split(separator: "\n").count == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func aTornLastLineIsIgnoredAndCutOffOnReopen(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let workdir = try temporaryDirectory()
        let id = DeploymentID.random()
        let journal = try await Journal.open(id: id, pipeline: "web", workdir: workdir, store: store)
        try await journal.append(.started)
        try await journal.append(.stepStarted, ["name": "prepare"])
        await journal.close()
        // A SIGKILL in the middle of the third write.
        let path = Journal.localPath(workdir: workdir, id: id)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"data":{"name":"prep"#.utf8))
        try handle.close()

        let read = try await Journal.read(id: id, pipeline: "web", workdir: workdir, store: store)
        #expect(read.map(\.seq) == [1, 2])

        let reopened = try await Journal.open(id: id, pipeline: "web", workdir: workdir, store: store)
        #expect(await reopened.entries == read)
        let next = try await reopened.append(.stepFinished, ["name": "prepare", "status": "succeeded"])
        #expect(next.seq == 3)
        await reopened.close()
        let after = try await Journal.read(id: id, pipeline: "web", workdir: workdir, store: store)
        #expect(after.map(\.kind) == [.started, .stepStarted, .stepFinished])
    }

    @Test(arguments: StoreKind.allCases)
    func anotherMachineResumesFromTheStoreCopy(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let id = DeploymentID.random()
        let first = try await Journal.open(id: id, pipeline: "web", workdir: try temporaryDirectory(), store: store)
        try await first.append(.started)
        try await first.append(.hostStarted, ["host": "web-1"])
        let original = await first.entries
        await first.close()

        let elsewhere = try temporaryDirectory()  // no local journal here
        #expect(try await Journal.read(id: id, pipeline: "web", workdir: elsewhere, store: store) == original)
        let resumed = try await Journal.open(id: id, pipeline: "web", workdir: elsewhere, store: store)
        #expect(await resumed.entries == original)
        #expect(try await resumed.append(.rollbackStarted, ["reason": "runner died"]).seq == 3)
        await resumed.close()
        #expect(try await Journal.read(id: id, pipeline: "web", workdir: try temporaryDirectory(), store: store).count == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func missingAndCorruptJournalsAreErrors(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let workdir = try temporaryDirectory()
        let id = DeploymentID.random()
        await #expect(throws: JournalError.notFound(id)) {
            try await Journal.read(id: id, pipeline: "web", workdir: workdir, store: store)
        }
        let journal = try await Journal.open(id: id, pipeline: "web", workdir: workdir, store: store)
        try await journal.append(.started)
        await journal.close()
        // A complete but damaged line in the middle is not a torn write: refuse to guess.
        let path = Journal.localPath(workdir: workdir, id: id)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = "garbage\n" + text
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        await #expect(throws: JournalError.self) {
            try await Journal.read(id: id, pipeline: "web", workdir: workdir, store: store)
        }
        do {
            _ = try await Journal.read(id: id, pipeline: "web", workdir: workdir, store: store)
        } catch {
            guard case .corrupt(_, let line, _) = error else { Issue.record("expected corrupt, got \(error)"); return }
            #expect(line == 1)
        }
    }
}
