import SlipwayProcess
import Synchronization

/// Coordinates stopping one remote run (timeout or task cancellation) with what we know about
/// it. The remote process group is killed over a separate ssh command as soon as both a stop
/// is requested and the group is known; the local ssh client is killed only after that,
/// because killing it alone would leave the remote command running.
final class RemoteRunControl: Sendable {
    enum StopReason: Sendable { case timeout, cancellation }

    private struct State {
        var target: RemoteRunScript.KillTarget?
        var stopReason: StopReason?
        var killLocalClient = false
        var remoteKill: Task<Void, Never>?
        var localKillFallback: Task<Void, Never>?
        /// stderr lines held back until the run is known to have started remotely; before that
        /// they are ssh's own messages (a connection error) rather than the script's.
        var heldErrorLines: [String] = []
        var passThroughErrors = false
        /// The script's status, once its closing line came.
        var remoteStatus: Int32?
        var lingerKill: Task<Void, Never>?
        /// The streams on which the program asked for its trailer so far.
        var trailerRequests: Set<ProcessOutputStream> = []
    }

    private let state = Mutex(State())
    private let killRemote: @Sendable (RemoteRunScript.KillTarget) async -> Void
    private let forward: @Sendable (ProcessOutputStream, String) -> Void
    private let announcementGrace: Duration
    private static let maxHeldLines = 200

    init(announcementGrace: Duration,
         killRemote: @escaping @Sendable (RemoteRunScript.KillTarget) async -> Void,
         forward: @escaping @Sendable (ProcessOutputStream, String) -> Void) {
        self.announcementGrace = announcementGrace
        self.killRemote = killRemote
        self.forward = forward
    }

    var stopReason: StopReason? { state.withLock { $0.stopReason } }
    var target: RemoteRunScript.KillTarget? { state.withLock { $0.target } }
    /// Polled by `runProcess`: true once the local ssh client should be killed.
    var shouldKillLocalClient: Bool { state.withLock { $0.killLocalClient } }
    var remoteKill: Task<Void, Never>? { state.withLock { $0.remoteKill } }

    func requestStop(_ reason: StopReason) {
        state.withLock { current in
            guard current.stopReason == nil else { return }
            current.stopReason = reason
            if let target = current.target {
                current.remoteKill = killRemotelyThenLocally(target)
            } else {
                // Not announced yet: the script is probably being started right now. Killing the
                // client at once could orphan it remotely, so give the announcement a moment;
                // if none comes (ssh still connecting, host hung), kill the client.
                current.localKillFallback = Task { [self, announcementGrace] in
                    try? await Task.sleep(for: announcementGrace)
                    state.withLock { if $0.target == nil { $0.killLocalClient = true } }
                }
            }
        }
    }

    /// The remote run announced its group. A stop requested before kills it now.
    func started(target: RemoteRunScript.KillTarget) {
        let held: [String] = state.withLock { current in
            guard current.target == nil else { return [] }
            current.target = target
            if current.stopReason != nil, current.remoteKill == nil {
                current.remoteKill = killRemotelyThenLocally(target)
            }
            current.passThroughErrors = true
            defer { current.heldErrorLines = [] }
            return current.heldErrorLines
        }
        for line in held { forward(.stderr, line) }
    }

    /// The remote script ended with `status`. If the client is still running `grace` later, a
    /// process the script started holds the session's output open (a daemon that kept stdout):
    /// only the local client is stopped, so the remote process lives on, as on a local host.
    func remoteExited(status: Int32, grace: Duration) {
        state.withLock { current in
            guard current.remoteStatus == nil else { return }
            current.remoteStatus = status
            current.lingerKill = Task { [self] in
                try? await Task.sleep(for: grace)
                if !Task.isCancelled { state.withLock { $0.killLocalClient = true } }
            }
        }
    }

    /// The status from the script's closing line, if it came.
    var remoteStatus: Int32? { state.withLock { $0.remoteStatus } }

    /// Stops the timers once the run is over. True when the linger timer had fired, i.e. the
    /// client was stopped only because the session's output stayed open.
    @discardableResult
    func finish() -> Bool {
        state.withLock { current in
            current.localKillFallback?.cancel()
            current.lingerKill?.cancel()
            return current.remoteStatus != nil && current.killLocalClient && current.stopReason == nil
        }
    }

    private func killRemotelyThenLocally(_ target: RemoteRunScript.KillTarget) -> Task<Void, Never> {
        Task { [self] in
            await killRemote(target)
            state.withLock { $0.killLocalClient = true }
        }
    }

    /// Records the trailer request seen on `stream`; true when it has now come on both.
    func trailerRequested(on stream: ProcessOutputStream) -> Bool {
        state.withLock { state in
            state.trailerRequests.insert(stream)
            return state.trailerRequests.count == 2
        }
    }

    /// Holds stderr lines back while the run has not announced itself; forwards the rest.
    func errorLine(_ line: String) {
        let overflow: [String]? = state.withLock { state in
            if state.passThroughErrors { return nil }
            state.heldErrorLines.append(line)
            guard state.heldErrorLines.count > Self.maxHeldLines else { return [] }
            // ssh never says this much: it is the script's output after all.
            state.passThroughErrors = true
            defer { state.heldErrorLines = [] }
            return state.heldErrorLines
        }
        switch overflow {
        case nil: forward(.stderr, line)
        case let lines?: for held in lines { forward(.stderr, held) }
        }
    }

    /// Lines still held at the end: returned for an error message, or forwarded.
    func takeHeldErrorLines() -> [String] {
        state.withLock { state in
            defer { state.heldErrorLines = [] }
            return state.heldErrorLines
        }
    }
}
