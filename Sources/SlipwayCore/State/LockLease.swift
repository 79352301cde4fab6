import Foundation
import Synchronization

/// A held stage lock. While it lives, a background task refreshes the lock every `ttl / 3` with
/// `.ifMatch(<tag we last wrote>)`; a refresh that finds another body there means the lock was
/// lost (taken over after expiry, resumed elsewhere, or force-released), which is reported once
/// through `onLost` and ends the refreshing. Releasing deletes the lock only while it is ours.
public final class LockLease: Sendable {
    public let key: String
    /// The expired (or own-deployment) lock this acquisition replaced, if any.
    public let tookOverFrom: LockInfo?

    private let store: any ArtifactStore
    private let ttl: Duration
    private let clock: any StateClock
    private let onLost: @Sendable (LockLoss) -> Void
    private let state: Mutex<State>

    private struct State {
        var info: LockInfo
        var tag: String
        var loss: LockLoss?
        /// Set when `release` starts: no refresh may begin after it.
        var releasing = false
        var released = false
        /// Refreshes are CAS chains on our own tag: two at once would make the slower one see
        /// the faster one's write as "someone else's". So at most one runs; others join it.
        var inFlight: Task<RefreshOutcome, Never>?
        var background: Task<Void, Never>?
    }

    enum RefreshOutcome: Sendable {
        case refreshed
        case lost(LockLoss)
        case failed(StoreError)
        case released
    }

    init(store: any ArtifactStore, key: String, info: LockInfo, tag: String, ttl: Duration, clock: any StateClock,
         tookOverFrom: LockInfo?, onLost: @escaping @Sendable (LockLoss) -> Void) {
        self.store = store
        self.key = key
        self.ttl = ttl
        self.clock = clock
        self.tookOverFrom = tookOverFrom
        self.onLost = onLost
        self.state = Mutex(State(info: info, tag: tag))
    }

    deinit {
        state.withLock { $0.background?.cancel() }
    }

    /// The lock as we last wrote it.
    public var info: LockInfo { state.withLock { $0.info } }
    /// Why the lock is no longer ours, once it is not.
    public var loss: LockLoss? { state.withLock { $0.loss } }
    /// True until the lease is released or lost.
    public var isHeld: Bool { state.withLock { $0.loss == nil && !$0.releasing } }

    /// Refreshes now (the background task does this on its own; call it before a step that must
    /// not run without the lock). Throws `.lost` when the lock is no longer ours.
    public func refresh() async throws(LockError) {
        switch await refreshOutcome() {
        case .refreshed: return
        case .lost(let loss): throw .lost(loss)
        case .failed(let error): throw .store(error)
        case .released: throw .lost(.removed)
        }
    }

    /// Stops refreshing and deletes the lock if it is still ours. When it is not (taken over or
    /// removed), nothing is deleted and `.lost` is thrown: someone else's lock is never removed.
    ///
    /// The check-then-delete has a small window (stores offer no conditional delete): the lock
    /// would have to expire and be taken over between our read and our delete. It cannot expire
    /// while we still refresh it, so this needs a clock skew between runners close to the TTL.
    public func release() async throws(LockError) {
        let (inFlight, alreadyReleased) = state.withLock { state in
            // From here on no new refresh starts (they see `releasing`), so nothing can race
            // the delete below or report our own delete as a loss.
            state.releasing = true
            state.background?.cancel()
            return (state.inFlight, state.released)
        }
        if alreadyReleased { return }
        // Let a running refresh land so the token and tag we compare are the latest we wrote.
        if let inFlight { _ = await inFlight.value }
        let (mine, loss) = state.withLock { ($0.info, $0.loss) }
        if let loss { throw .lost(loss) }
        guard let (current, _) = try await StageLock.read(key, from: store) else {
            markLost(.removed)
            throw .lost(.removed)
        }
        guard current.token == mine.token else {
            markLost(.takenOver(by: current))
            throw .lost(.takenOver(by: current))
        }
        do { try await store.delete(key) } catch { throw .store(error) }
        state.withLock { $0.released = true }
    }

    // MARK: Refreshing

    func startRefreshing(every interval: Duration) {
        let clock = self.clock
        let task = Task { [weak self] in
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { return }
                guard let lease = self else { return }
                switch await lease.refreshOutcome() {
                case .refreshed, .failed: continue  // a failed refresh is retried next tick
                case .lost, .released: return
                }
            }
        }
        state.withLock { $0.background = task }
    }

    private func refreshOutcome() async -> RefreshOutcome {
        let task: Task<RefreshOutcome, Never> = state.withLock { state in
            if let running = state.inFlight { return running }
            let task = Task { await self.performRefresh() }
            state.inFlight = task
            return task
        }
        return await task.value
    }

    private func performRefresh() async -> RefreshOutcome {
        let (info, tag, loss, releasing) = state.withLock { ($0.info, $0.tag, $0.loss, $0.releasing) }
        if let loss { return finish(.lost(loss)) }
        if releasing { return finish(.released) }
        let now = StateTime.normalized(clock.now())
        var next = info
        next.refreshedAt = now
        next.expiresAt = StateTime.adding(ttl, to: now)
        let body: Data
        do { body = try StateJSON.encode(next) } catch {
            return finish(.failed(.io(operation: "encode", path: key, message: "\(error)")))
        }
        do {
            let written = try await store.put(key, data: body, condition: .ifMatch(tag))
            state.withLock { state in
                state.info = next
                state.tag = written.tag
            }
            return finish(.refreshed)
        } catch .preconditionFailed {
            return finish(await examineChangedLock(lastWritten: info))
        } catch {
            // A store hiccup. Our lock is still valid until the expiry we last wrote; past it,
            // anyone may have taken it over, so it counts as lost.
            if now >= info.expiresAt {
                return finish(lost(.expired(lastError: error.description)))
            }
            return finish(.failed(error))
        }
    }

    /// Our `.ifMatch` failed. Usually someone else's lock is there now. But if a previous
    /// refresh was applied and only its response got lost, the body is still ours (same token)
    /// under a tag we never saw: adopt it and keep the lease.
    private func examineChangedLock(lastWritten info: LockInfo) async -> RefreshOutcome {
        let current: (info: LockInfo, tag: String)?
        do {
            current = try await StageLock.read(key, from: store)
        } catch {
            // Unreadable or unreachable: whatever is there, it is not a lock we can refresh.
            return lost(.expired(lastError: error.description))
        }
        guard let current else { return lost(.removed) }
        if current.info.token == info.token {
            state.withLock { state in
                state.info = current.info
                state.tag = current.tag
            }
            return .refreshed
        }
        return lost(.takenOver(by: current.info))
    }

    private func lost(_ loss: LockLoss) -> RefreshOutcome {
        markLost(loss)
        return .lost(loss)
    }

    /// Records the loss once and tells the owner once. A loss found by `release` is not
    /// reported through the callback: `release` throws it to its caller instead.
    private func markLost(_ loss: LockLoss) {
        let notify = state.withLock { state in
            guard state.loss == nil else { return false }
            state.loss = loss
            state.background?.cancel()
            return !state.releasing
        }
        if notify { onLost(loss) }
    }

    private func finish(_ outcome: RefreshOutcome) -> RefreshOutcome {
        state.withLock { $0.inFlight = nil }
        return outcome
    }
}
