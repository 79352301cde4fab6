import Synchronization

/// The per-call state behind the C callbacks. The plugin may call them from any thread, at the
/// same time, and reply before `call` has even returned, so everything here is lock-protected.
final class PluginCallBridge: Sendable {
    private let events: @Sendable (PluginEvent) -> Void
    private let callerCancelled: @Sendable () -> Bool
    private let taskCancelled = Atomic<Bool>(false)
    private let pending = Mutex<Pending>(Pending())

    private struct Pending {
        var continuation: CheckedContinuation<PluginReply, Never>?
        /// A reply that arrived before `awaitReply` (cannot happen today, since the continuation
        /// is registered before `call`, but keeps the bridge correct if that order ever changes).
        var earlyReply: PluginReply?
        var replied = false
    }

    init(events: @escaping @Sendable (PluginEvent) -> Void, isCancelled: @escaping @Sendable () -> Bool) {
        self.events = events
        self.callerCancelled = isCancelled
    }

    var isCancelled: Bool { taskCancelled.load(ordering: .relaxed) || callerCancelled() }

    func cancel() { taskCancelled.store(true, ordering: .relaxed) }

    func emit(_ json: String) { events(PluginEvent(json: json)) }

    func awaitReply(_ continuation: CheckedContinuation<PluginReply, Never>) {
        let early = pending.withLock { state -> PluginReply? in
            if let reply = state.earlyReply { return reply }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    /// The first reply wins. Replying twice breaks the contract (the bridge may be gone by then);
    /// a second reply that still finds it is reported as a warning rather than resuming twice.
    func deliver(_ reply: PluginReply) {
        let continuation = pending.withLock { state -> CheckedContinuation<PluginReply, Never>?? in
            guard !state.replied else { return .none }
            state.replied = true
            guard let continuation = state.continuation else {
                state.earlyReply = reply
                return .some(nil)
            }
            state.continuation = nil
            return .some(continuation)
        }
        switch continuation {
        case .none:
            events(PluginEvent(level: .warning, message: "plugin replied twice to one call; the second reply was ignored"))
        case .some(let continuation):
            continuation?.resume(returning: reply)
        }
    }
}
