import Foundation
import Testing
@testable import SlipwayCore

@Suite struct StateRecordTests {
    /// Whole seconds: a stored date reads back identical.
    private func at(_ seconds: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(1_764_504_000 + seconds)) }

    private func record(_ pipeline: String = "web", _ stage: String = "prod", startedAt: Int,
                        revision: String = stateSHA1) -> DeploymentRecord {
        DeploymentRecord(id: .random(), pipeline: pipeline, stage: stage, targetType: "dir", revision: revision,
                         startedAt: at(startedAt))
    }

    @Test(arguments: StoreKind.allCases)
    func aRecordRoundTripsAndIsFoundByIDAlone(_ kind: StoreKind) async throws {
        let records = DeploymentStore(store: try await kind.make())
        var full = record(startedAt: 0)
        full.rollbackOf = .random()
        full.reason = "manual rollback"
        full.setHost(.init(host: "web-1", status: .succeeded, message: "ok", startedAt: at(1), finishedAt: at(2)))
        full.setStep(.init(name: "setWeight 10", status: .succeeded, startedAt: at(1), finishedAt: at(3)))
        full.timings["plan"] = 0.25
        let created = try await records.create(full)
        #expect(created.record == full)

        let byID = try #require(try await records.record(id: full.id))
        #expect(byID == created)
        #expect(try await records.load(pipeline: "web", id: full.id) == created)
        #expect(try await records.record(id: .random()) == nil)
        // Sub-millisecond times: what create returns is what a reader gets.
        let begun = try await records.begin(pipeline: "web", stage: "prod", targetType: "dir", revision: stateSHA2,
                                            startedAt: Date(timeIntervalSince1970: 1_764_504_067.123456))
        #expect(try await records.record(id: begun.record.id) == begun)
        // The same id twice is refused, even for another pipeline.
        var clash = record("api", startedAt: 5)
        clash.id = full.id
        await #expect(throws: StateError.alreadyExists(full.id)) { try await records.create(clash) }
    }

    @Test(arguments: StoreKind.allCases)
    func twoWritersOfOneVersionCannotBothSave(_ kind: StoreKind) async throws {
        let records = DeploymentStore(store: try await kind.make())
        let created = try await records.create(record(startedAt: 0))
        var mine = created.record
        mine.setHost(.init(host: "web-1", status: .inProgress))
        var theirs = created.record
        theirs.finish(.stopped, reason: "stopped by hand", at: at(9))

        let saved = try await records.save(mine, replacing: created.tag)
        await #expect(throws: StateError.conflict(key: "deployments/web/\(created.record.id)/record.json")) {
            try await records.save(theirs, replacing: created.tag)
        }
        #expect(try await records.record(id: created.record.id) == saved)
        // With the latest tag, the next save goes through.
        mine.finish(.failed, reason: "web-1 failed ValidateService", at: at(10))
        let finished = try await records.save(mine, replacing: saved.tag)
        #expect(try await records.record(id: mine.id)?.record.status == .failed)
        #expect(finished.tag != saved.tag)
        #expect(finished.record.timings["total"] == 10)
    }

    @Test(arguments: StoreKind.allCases)
    func historyIsNewestFirstPerStageOrPerPipeline(_ kind: StoreKind) async throws {
        let records = DeploymentStore(store: try await kind.make())
        // Created out of order on purpose: order comes from start times, not writes.
        let middle = try await records.create(record(startedAt: 100)).record
        let oldest = try await records.create(record(startedAt: 10)).record
        let newest = try await records.create(record(startedAt: 200)).record
        let beta = try await records.create(record("web", "beta", startedAt: 150)).record
        _ = try await records.create(record("api", "prod", startedAt: 300))

        #expect(try await records.history(pipeline: "web", stage: "prod").map(\.id) == [newest.id, middle.id, oldest.id])
        #expect(try await records.history(pipeline: "web", stage: "prod", limit: 2).map(\.id) == [newest.id, middle.id])
        #expect(try await records.history(pipeline: "web").map(\.id) == [newest.id, beta.id, middle.id, oldest.id])
        #expect(try await records.history(pipeline: "web", stage: "nothing-here").isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func succeededDeploymentsMoveTheLastSuccessfulRevision(_ kind: StoreKind) async throws {
        let records = DeploymentStore(store: try await kind.make())
        #expect(try await records.lastSuccessful(pipeline: "web", stage: "prod") == nil)

        var first = try await records.begin(pipeline: "web", stage: "prod", targetType: "dir", revision: stateSHA1, startedAt: at(0))
        #expect(first.record.previousRevision == nil)
        first.record.finish(.succeeded, at: at(5))
        first = try await records.save(first.record, replacing: first.tag)
        #expect(try await records.lastSuccessful(pipeline: "web", stage: "prod")
                == LastSuccessful(revision: stateSHA1, deploymentId: first.record.id, at: at(5)))

        // A failed deployment leaves the pointer alone and remembers what it replaced.
        var second = try await records.begin(pipeline: "web", stage: "prod", targetType: "dir", revision: stateSHA2, startedAt: at(10))
        #expect(second.record.previousRevision == stateSHA1)
        second.record.finish(.rolledBack, reason: "alarm", at: at(20))
        second = try await records.save(second.record, replacing: second.tag)
        #expect(try await records.lastSuccessful(pipeline: "web", stage: "prod")?.deploymentId == first.record.id)

        // The rollback is a new deployment of the previous revision.
        var rollback = try await records.begin(pipeline: "web", stage: "prod", targetType: "dir", revision: stateSHA1,
                                               rollbackOf: second.record.id, startedAt: at(21))
        rollback.record.finish(.succeeded, at: at(30))
        _ = try await records.save(rollback.record, replacing: rollback.tag)
        let pointer = try await records.lastSuccessful(pipeline: "web", stage: "prod")
        #expect(pointer?.deploymentId == rollback.record.id)
        #expect(pointer?.revision == stateSHA1)
        #expect(try await records.record(id: rollback.record.id)?.record.rollbackOf == second.record.id)
        #expect(try await records.lastSuccessful(pipeline: "web", stage: "beta") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func recordsUseTheDocumentedKeys(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let records = DeploymentStore(store: store)
        var created = try await records.create(record(startedAt: 0)).record
        created.finish(.succeeded, at: at(1))
        _ = try await records.save(created, replacing: try #require(try await records.record(id: created.id)).tag)
        let id = created.id
        #expect(try await store.list(prefix: "") == [
            "deployments/by-id/\(id).json",
            "deployments/web/\(id)/record.json",
            "stages/web/prod/history/20251130T120000.000Z-\(id)",
            "stages/web/prod/last-successful.json",
        ].sorted())
        let raw = try #require(try await store.get("deployments/web/\(id)/record.json")).data
        let json = try #require(try JSONSerialization.jsonObject(with: raw) as? [String: Any])
        #expect(json["status"] as? String == "succeeded")
        #expect(json["startedAt"] as? String == "2025-11-30T12:00:00.000Z")
    }
}
