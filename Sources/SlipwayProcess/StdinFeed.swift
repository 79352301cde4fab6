#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A child's stdin as a pipe the caller keeps feeding while the child runs: the bytes given at
/// creation, then whatever `finish` adds, then end of file. The child's supervisor thread writes
/// them (never blocking: output keeps being read meanwhile), so `finish` may be called from an
/// output line handler, which runs on that same thread: a conversation with the child (it
/// prints a request, we answer on its stdin) costs no extra process or round trip.
///
/// If the child exits first, what it did not read is dropped. Writing to a pipe whose reader
/// is gone raises SIGPIPE, which would end this process: the first feed sets SIGPIPE to ignored
/// (children still start with the default disposition, see `spawnChild`).
public final class StdinFeed: Sendable, Equatable {
    private struct State {
        var pending: [UInt8]
        var finished = false
    }

    private let state: Mutex<State>

    public init(_ initial: [UInt8] = []) {
        _ = Self.ignoreSIGPIPE
        state = Mutex(State(pending: initial))
    }

    /// Appends `bytes`, then ends the child's stdin once everything is written. Later calls do nothing.
    public func finish(appending bytes: [UInt8] = []) {
        state.withLock { state in
            guard !state.finished else { return }
            state.pending += bytes
            state.finished = true
        }
    }

    /// Everything handed over since the last call, and whether the input is complete.
    func take() -> (bytes: [UInt8], finished: Bool) {
        state.withLock { state in
            defer { state.pending = [] }
            return (state.pending, state.finished)
        }
    }

    public static func == (left: StdinFeed, right: StdinFeed) -> Bool { left === right }

    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()
}
