import Foundation
import Testing
@testable import SlipwayCore

@Suite struct StateFailureTests {
    @Test(arguments: StoreKind.allCases)
    func aStoreOutageKeepsTheLeaseUntilItsExpiryThenCountsAsLost(_ kind: StoreKind) async throws {
        let store = StateFlakyStore(try await kind.make())
        let losses = StateLossRecorder()
        let clock = StateTestClock(sleep: .never)
        let lease = try await StageLock(store: store, ttl: .seconds(60), clock: clock)
            .acquire(pipeline: "web", stage: "prod", deploymentId: .random(), onLost: losses.callback)
        store.outage = true
        await #expect(throws: LockError.store(.remote("injected outage"))) { try await lease.refresh() }
        #expect(lease.isHeld)  // still valid until the expiry we last wrote
        #expect(losses.all.isEmpty)

        clock.advance(by: 61)
        await #expect(throws: LockError.lost(.expired(lastError: "injected outage"))) { try await lease.refresh() }
        #expect(losses.all == [.expired(lastError: "injected outage")])
        #expect(!lease.isHeld)
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedMirrorKeepsTheEntryLocallyAndTheNextAppendCatchesUp(_ kind: StoreKind) async throws {
        let store = StateFlakyStore(try await kind.make())
        let workdir = try temporaryDirectory()
        let id = DeploymentID.random()
        let journal = try await Journal.open(id: id, pipeline: "web", workdir: workdir, store: store)
        try await journal.append(.started)
        store.outage = true
        do {
            try await journal.append(.planned, ["batches": 2])
            Issue.record("the mirror cannot have succeeded during an outage")
        } catch {
            guard case .mirrorFailed(let entry, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(entry.seq == 2)
        }
        store.outage = false
        try await journal.append(.weight, ["percent": 100])
        await journal.close()
        let fromStore = try await Journal.read(id: id, pipeline: "web", workdir: try temporaryDirectory(), store: store)
        #expect(fromStore.map(\.kind) == [.started, .planned, .weight])
    }

    @Test func storedTimesReadBackExactly() throws {
        for seconds in [0.0, 1_764_504_067.123, 1_764_504_067.9999, -1.5, 1_764_504_067.0004] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = StateTime.iso8601(date)
            let parsed = try #require(StateTime.parseISO8601(text))
            #expect(parsed == StateTime.normalized(date))
            #expect(StateTime.iso8601(parsed) == text)
            #expect(abs(parsed.timeIntervalSince(date)) <= 0.0005)
        }
        #expect(StateTime.iso8601(Date(timeIntervalSince1970: 1_764_504_067.123)) == "2025-11-30T12:01:07.123Z")
        #expect(StateTime.parseISO8601("2025-11-30T12:01:07Z") == Date(timeIntervalSince1970: 1_764_504_067))
        #expect(StateTime.parseISO8601("2025-11-30T12:01:07.5Z") == Date(timeIntervalSince1970: 1_764_504_067.5))
        #expect(StateTime.parseISO8601("yesterday") == nil)
        #expect(StateTime.sortableStamp(Date(timeIntervalSince1970: 1_764_504_067.123)) == "20251130T120107.123Z")
    }
}
