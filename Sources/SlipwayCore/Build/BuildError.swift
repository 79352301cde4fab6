/// Why a build stopped. Each case names the step, so the message alone tells the user where.
public enum BuildError: Error, Sendable, Equatable, CustomStringConvertible {
    case stepFailed(step: String, exitCode: Int32)
    case stepTimedOut(step: String, after: Duration)
    /// Killed by a signal nobody in Slipway sent (OOM killer, a crash, `kill` from outside).
    case stepKilled(step: String, signal: Int32)
    case cancelled(step: String)
    /// The step's process could not be started (missing directory, no /bin/sh).
    case cannotStart(step: String, reason: String)

    public var step: String {
        switch self {
        case .stepFailed(let step, _), .stepTimedOut(let step, _), .stepKilled(let step, _),
             .cancelled(let step), .cannotStart(let step, _):
            step
        }
    }

    public var description: String {
        switch self {
        case .stepFailed(let step, let exitCode):
            "build step \"\(step)\" failed with exit code \(exitCode)"
        case .stepTimedOut(let step, let after):
            "build step \"\(step)\" timed out after \(Self.format(after)) and was killed"
        case .stepKilled(let step, let signal):
            "build step \"\(step)\" was killed by signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")"
        case .cancelled(let step):
            "build step \"\(step)\" was cancelled"
        case .cannotStart(let step, let reason):
            "build step \"\(step)\" could not start: \(reason)"
        }
    }

    /// "90s", "1.5s": the timeout as the user wrote it, in seconds.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        var text = "\(milliseconds / 1000).\(String(1000 + milliseconds % 1000).dropFirst())"
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "s"
    }

    /// Linux numbering of the signals a build is likely to die from.
    static func signalName(_ signal: Int32) -> String? {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
            9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        ]
        return names[signal]
    }
}
