/// How the child process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }

    /// Decodes a `waitpid` status word (the W* macros are not imported into Swift).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(signal)
        }
    }
}

public struct ProcessResult: Sendable, Equatable {
    public var termination: Termination
    /// The timeout passed and we terminated the process group.
    public var timedOut: Bool
    /// Cancellation was requested (the `isCancelled` callback or task cancellation) and we
    /// terminated the process group.
    public var cancelled: Bool
    /// The child exited but something it started still held stdout/stderr open after
    /// `lingerGrace`; we stopped reading. Typical of a hook that starts a daemon without
    /// `>/dev/null 2>&1`.
    public var outputLeftOpen: Bool
    public var duration: Duration

    /// Exit code 0 and ended on its own. A left-open output does not fail the process: the
    /// child did its job; callers may warn about it.
    public var succeeded: Bool {
        termination == .exited(0) && !timedOut && !cancelled
    }

    public init(termination: Termination, timedOut: Bool, cancelled: Bool, outputLeftOpen: Bool, duration: Duration) {
        self.termination = termination
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.outputLeftOpen = outputLeftOpen
        self.duration = duration
    }
}
