import Foundation
import Testing
@testable import SlipwayCore

@Suite struct StateLockTests {
    @Test(arguments: StoreKind.allCases)
    func exactlyOneOfManyConcurrentAcquirersWins(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let outcomes = await contend(kind, 8) { index -> Result<LockLease, LockError> in
            let lock = StageLock(store: store, holder: "runner\(index)@host pid \(index)")
            do throws(LockError) {
                return .success(try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random()))
            } catch {
                return .failure(error)
            }
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        for case .failure(let error) in outcomes {
            guard case .held(let info) = error else {
                Issue.record("expected held, got \(error)")
                continue
            }
            #expect(info.deploymentId == winner.info.deploymentId)
            #expect(info.holder == winner.info.holder)
        }
        #expect(try await StageLock(store: store).status(pipeline: "web", stage: "prod") == winner.info)
        try await winner.release()
    }

    @Test(arguments: StoreKind.allCases)
    func aSecondContenderIsToldWhoHoldsTheStage(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let first = StageLock(store: store, ttl: .seconds(120), holder: "root@ci-7 pid 4242")
        let id = try DeploymentID.parse("d-ABC123XYZ")
        let lease = try await first.acquire(pipeline: "shop", stage: "web", deploymentId: id)

        let second = StageLock(store: store, holder: "me@laptop pid 1")
        await #expect(throws: LockError.held(lease.info)) {
            try await second.acquire(pipeline: "shop", stage: "web", deploymentId: .random())
        }
        // The message names holder, deployment and both times.
        var info = lease.info
        info.acquiredAt = Date(timeIntervalSince1970: 1_764_504_067)  // 2025-11-30 12:01:07 UTC
        info.expiresAt = info.acquiredAt.addingTimeInterval(120)
        #expect(info.describe(timeZone: .gmt)
                == "stage web is locked by root@ci-7 pid 4242 for deployment d-ABC123XYZ since 12:01:07 (expires 12:03:07)")
        #expect(LockError.held(lease.info).description.hasPrefix("stage web is locked by root@ci-7 pid 4242 for deployment d-ABC123XYZ since "))
        try await lease.release()
    }

    @Test(arguments: StoreKind.allCases)
    func aWaitingContenderGetsTheLockOnceTheHolderReleasesIt(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let holder = try await StageLock(store: store, ttl: .seconds(120))
            .acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        let waiterClock = StateTestClock()
        let waiterID = DeploymentID.random()
        let waiter = Task {
            try await StageLock(store: store, ttl: .seconds(120), pollInterval: .milliseconds(20), clock: waiterClock)
                .acquire(pipeline: "web", stage: "prod", deploymentId: waiterID, wait: .seconds(120))
        }
        // Only release once the waiter has found the stage held and started polling.
        #expect(try await stateEventually { waiterClock.sleepCount > 0 })
        try await holder.release()
        let lease = try await waiter.value
        #expect(lease.info.deploymentId == waiterID)
        #expect(lease.tookOverFrom == nil)
        #expect(try await StageLock(store: store).status(pipeline: "web", stage: "prod")?.deploymentId == waiterID)
        try await lease.release()
        #expect(try await StageLock(store: store).status(pipeline: "web", stage: "prod") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func waitingGivesUpWithHeldAfterTheWait(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let holder = try await StageLock(store: store, ttl: .seconds(3600))
            .acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        let clock = StateTestClock(sleep: .instant)  // each poll advances the clock 10 s, instantly
        let waiter = StageLock(store: store, pollInterval: .seconds(10), clock: clock)
        await #expect(throws: LockError.held(holder.info)) {
            try await waiter.acquire(pipeline: "web", stage: "prod", deploymentId: .random(), wait: .seconds(60))
        }
        #expect((1...6).contains(clock.sleepCount))  // polled, and gave up at the deadline
        try await holder.release()
    }

    @Test(arguments: StoreKind.allCases)
    func anExpiredLockIsTakenOverAndTheOldHolderLearnsItLost(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let losses = StateLossRecorder()
        // The old holder's background refresh never runs (as if its runner hung).
        let old = try await StageLock(store: store, ttl: .seconds(60), holder: "old@a pid 1",
                                      clock: StateTestClock(sleep: .never))
            .acquire(pipeline: "web", stage: "prod", deploymentId: .random(), onLost: losses.callback)
        // The new contender's clock is two minutes later: the old lock has expired.
        let newLock = StageLock(store: store, ttl: .seconds(60), holder: "new@b pid 2",
                                clock: StateTestClock(offset: 120, sleep: .never))
        let new = try await newLock.acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        #expect(new.tookOverFrom == old.info)

        await #expect(throws: LockError.lost(.takenOver(by: new.info))) { try await old.refresh() }
        #expect(losses.all == [.takenOver(by: new.info)])
        #expect(!old.isHeld)
        // Releasing the old lease must not remove the new holder's lock.
        await #expect(throws: LockError.lost(.takenOver(by: new.info))) { try await old.release() }
        #expect(try await newLock.status(pipeline: "web", stage: "prod") == new.info)
        #expect(losses.all.count == 1)  // reported once
        try await new.release()
    }

    @Test(arguments: StoreKind.allCases)
    func onlyOneOfSeveralContendersTakesOverTheSameExpiredLock(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        _ = try await StageLock(store: store, ttl: .seconds(1), clock: StateTestClock(offset: -3600, sleep: .never))
            .acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        let winners = await contend(kind, 6) { _ in
            let lock = StageLock(store: store, clock: StateTestClock(sleep: .never))
            return (try? await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random())) != nil
        }.filter { $0 }.count
        #expect(winners == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func theBackgroundRefreshExtendsTheLockAndReportsAForcedRelease(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let losses = StateLossRecorder()
        // Refreshes every ttl/3. The forced release below follows a refresh just seen, so the
        // next one is ~0.5 s away: moto checks If-Match and then writes without a lock between
        // them, so a refresh racing the DELETE can bring the lock back (real S3 is atomic).
        let lock = StageLock(store: store, ttl: .milliseconds(1500))
        let lease = try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random(), onLost: losses.callback)
        let first = lease.info
        #expect(try await stateEventually {
            guard let stored = try await lock.status(pipeline: "web", stage: "prod") else { return false }
            return stored.refreshedAt > first.refreshedAt && stored.expiresAt > first.expiresAt
        })
        #expect(lease.isHeld)
        #expect(try await lock.status(pipeline: "web", stage: "prod")?.acquiredAt == first.acquiredAt)

        let removed = try await lock.forceRelease(pipeline: "web", stage: "prod")
        #expect(removed?.deploymentId == first.deploymentId)
        #expect(try await stateEventually { !losses.all.isEmpty })
        #expect(losses.all == [.removed])
        #expect(lease.loss == .removed)
        // Refreshing stopped: nothing recreated the lock.
        #expect(try await lock.status(pipeline: "web", stage: "prod") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func resumeTakesOverItsOwnDeploymentsLockBeforeExpiry(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let losses = StateLossRecorder()
        let id = DeploymentID.random()
        let dead = try await StageLock(store: store, ttl: .seconds(3600), holder: "ci@old pid 9",
                                       clock: StateTestClock(sleep: .never))
            .acquire(pipeline: "web", stage: "prod", deploymentId: id, onLost: losses.callback)
        let lock = StageLock(store: store, holder: "ci@new pid 10", clock: StateTestClock(sleep: .never))
        // Not resuming, or resuming another deployment: still held.
        await #expect(throws: LockError.held(dead.info)) {
            try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: id)
        }
        await #expect(throws: LockError.held(dead.info)) {
            try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random(), resuming: true)
        }
        let resumed = try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: id, resuming: true)
        #expect(resumed.tookOverFrom == dead.info)
        #expect(resumed.info.holder == "ci@new pid 10")
        await #expect(throws: LockError.lost(.takenOver(by: resumed.info))) { try await dead.refresh() }
        #expect(losses.all == [.takenOver(by: resumed.info)])
        try await resumed.release()
    }

    @Test(arguments: StoreKind.allCases)
    func releaseByDeploymentRefusesSomeoneElsesLock(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let lock = StageLock(store: store, clock: StateTestClock(sleep: .never))
        let lease = try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        await #expect(throws: LockError.held(lease.info)) {
            try await lock.release(pipeline: "web", stage: "prod", deploymentId: .random())
        }
        #expect(try await lock.status(pipeline: "web", stage: "prod") == lease.info)
        #expect(try await lock.release(pipeline: "web", stage: "prod", deploymentId: lease.info.deploymentId))
        #expect(try await lock.status(pipeline: "web", stage: "prod") == nil)
        #expect(try await !lock.release(pipeline: "web", stage: "prod", deploymentId: lease.info.deploymentId))
    }

    @Test(arguments: StoreKind.allCases)
    func statusListsLocksAndForceReleaseClearsAnUnreadableOne(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let lock = StageLock(store: store, clock: StateTestClock(sleep: .never))
        let a = try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        let b = try await lock.acquire(pipeline: "web", stage: "beta", deploymentId: .random())
        let c = try await lock.acquire(pipeline: "api", stage: "prod", deploymentId: .random())
        #expect(try await lock.locks(pipeline: "web").map(\.stage) == ["beta", "prod"])
        #expect(try await lock.locks().count == 3)
        for lease in [a, b, c] { try await lease.release() }

        try await store.put("locks/web/prod.json", data: Data("not json".utf8), condition: .none)
        await #expect(throws: LockError.self) {
            try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        }
        #expect(try await lock.forceRelease(pipeline: "web", stage: "prod") == nil)
        let lease = try await lock.acquire(pipeline: "web", stage: "prod", deploymentId: .random())
        try await lease.release()
    }

    @Test func namesThatAreNotOneKeySegmentAreRefused() async throws {
        let lock = StageLock(store: FileStore(root: try temporaryDirectory()))
        for (pipeline, stage) in [("a/b", "prod"), ("web", ".."), ("web", ""), ("by-id", "prod"), ("web", ".hidden")] {
            await #expect(throws: LockError.self) {
                try await lock.acquire(pipeline: pipeline, stage: stage, deploymentId: .random())
            }
        }
    }
}
