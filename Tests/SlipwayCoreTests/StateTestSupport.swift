import Foundation
import Synchronization
import Testing
@testable import SlipwayCore

/// A clock for state tests: `now()` is real time shifted by `offset` (so a lock written by
/// another clock can look expired), and `sleep` either really sleeps, returns at once while
/// advancing the offset (a wait that costs no real time), or never returns until cancelled
/// (a lease whose background refresh must not interfere).
final class StateTestClock: StateClock, Sendable {
    enum SleepMode: Sendable { case real, instant, never }

    private let offset: Mutex<TimeInterval>
    private let sleeps = Mutex(0)
    let mode: SleepMode

    init(offset: TimeInterval = 0, sleep mode: SleepMode = .real) {
        self.offset = Mutex(offset)
        self.mode = mode
    }

    var sleepCount: Int { sleeps.withLock { $0 } }

    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }

    func sleep(for duration: Duration) async throws {
        sleeps.withLock { $0 += 1 }
        switch mode {
        case .real: try await Task.sleep(for: duration)
        case .instant: advance(by: StateTime.seconds(duration))
        case .never: try await Task.sleep(for: .seconds(24 * 3600))
        }
    }
}

/// Collects what a lease reports through `onLost`.
final class StateLossRecorder: Sendable {
    private let losses = Mutex<[LockLoss]>([])
    var all: [LockLoss] { losses.withLock { $0 } }
    var callback: @Sendable (LockLoss) -> Void { { loss in self.losses.withLock { $0.append(loss) } } }
}

/// Polls `condition` until it holds, for at most `attempts` × 20 ms (generous: the machine is
/// busy; nothing asserts how fast it happens, only that it does).
func stateEventually(attempts: Int = 1500, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

let stateSHA1 = String(repeating: "a", count: 64)
let stateSHA2 = String(repeating: "b", count: 64)
let stateSHA3 = String(repeating: "c", count: 64)

/// Wraps a store and fails every write while `outage` is on: a network blip or an S3 error.
final class StateFlakyStore: ArtifactStore, Sendable {
    let base: any ArtifactStore
    private let down = Mutex(false)

    init(_ base: any ArtifactStore) { self.base = base }

    var outage: Bool {
        get { down.withLock { $0 } }
        set { down.withLock { $0 = newValue } }
    }

    var location: String { base.location }

    private func check() throws(StoreError) {
        if outage { throw .remote("injected outage") }
    }

    func head(_ key: String) async throws(StoreError) -> StoredObject? { try await base.head(key) }
    func get(_ key: String) async throws(StoreError) -> (data: Data, object: StoredObject)? { try await base.get(key) }
    func put(_ key: String, data: Data, condition: WriteCondition) async throws(StoreError) -> StoredObject {
        try check()
        return try await base.put(key, data: data, condition: condition)
    }
    func putFile(_ key: String, path: String, sha256: String?) async throws(StoreError) -> StoredObject {
        try check()
        return try await base.putFile(key, path: path, sha256: sha256)
    }
    func getFile(_ key: String, to path: String) async throws(StoreError) { try await base.getFile(key, to: path) }
    func list(prefix: String) async throws(StoreError) -> [String] { try await base.list(prefix: prefix) }
    func delete(_ key: String) async throws(StoreError) {
        try check()
        try await base.delete(key)
    }
}
