import Foundation
import SlipwayProcess
import Synchronization

/// Shared state for talking to many hosts over the system OpenSSH client: one private folder
/// of control sockets, and at most one master connection per ssh alias, started once however
/// many tasks ask for it at the same moment. Hand out one `SSHTransport` per host with
/// `transport(alias:)`; call `close()` when done to end the masters.
public final class SSHClient: Sendable {
    public let options: SSHOptions
    /// Private (0700) folder holding the control sockets: no other user can reach our masters.
    public let controlDirectory: String

    private enum Master {
        case starting(Task<TransportError?, Never>)
        case running
    }

    private struct State {
        var socketNames: [String: String] = [:]
        var masters: [String: Master] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init(options: SSHOptions = SSHOptions()) throws(TransportError) {
        self.options = options
        // /tmp rather than $TMPDIR: a socket path must fit in 108 bytes (sun_path).
        var template = Array("/tmp/slipway-ssh.XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TransportError(host: "ssh", message: "cannot create a folder for control sockets: \(String(cString: strerror(errno)))")
        }
        controlDirectory = String(cString: created)
    }

    deinit {
        // Masters left running end on their own after `controlPersist`; the folder must not pile up.
        try? FileManager.default.removeItem(atPath: controlDirectory)
    }

    public func transport(alias: String) -> SSHTransport {
        SSHTransport(alias: alias, client: self)
    }

    /// The control socket of `alias`'s master. Named after the alias, never `%C`: `%C` hashes
    /// the resolved address, so aliases that share an address (one machine, several roots)
    /// would share one master. The name is sanitized (ssh expands `%` tokens in ControlPath)
    /// and numbered so that aliases that sanitize alike stay apart.
    public func controlPath(for alias: String) -> String {
        let name = state.withLock { state in
            if let name = state.socketNames[alias] { return name }
            let safe = String(alias.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" }.prefix(40))
            let name = "\(state.socketNames.count)-\(safe)"
            state.socketNames[alias] = name
            return name
        }
        return "\(controlDirectory)/\(name)"
    }

    /// Arguments shared by every ssh invocation for `alias`, up to (not including) the alias.
    /// Only what correctness needs is forced on the command line (where it beats the config
    /// file): never prompt, bounded connect, our control socket.
    func baseArguments(for alias: String) -> [String] {
        var arguments = [options.sshExecutable]
        if let configFile = options.configFile { arguments += ["-F", configFile] }
        arguments += [
            "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=\(options.connectTimeout.wholeSecondsRoundedUp)",
            "-o", "ControlPath=\(controlPath(for: alias))",
            "-o", "ControlPersist=\(options.controlPersist.wholeSecondsRoundedUp)s",
        ]
        return arguments
    }

    /// Arguments for a command over the shared connection. `ControlMaster=auto`: if the master
    /// expired since `ensureMaster`, this client starts a new one (which backgrounds itself)
    /// instead of failing. `-T`: a configured `RequestTTY` would merge stderr into stdout.
    func commandArguments(for alias: String, remoteCommand: String) -> [String] {
        baseArguments(for: alias) + ["-o", "ControlMaster=auto", "-T", "--", alias, remoteCommand]
    }

    /// Makes sure `alias` has a running master. Concurrent callers share one attempt; a failed
    /// attempt is forgotten so a later call tries again.
    func ensureMaster(alias: String) async throws(TransportError) {
        let host = "ssh:\(alias)"
        let socket = controlPath(for: alias)
        enum Next { case ready, closed, wait(Task<TransportError?, Never>) }
        let next = state.withLock { current -> Next in
            if current.closed { return .closed }
            switch current.masters[alias] {
            case .running? where FileManager.default.fileExists(atPath: socket):
                return .ready
            case .starting(let task)?:
                return .wait(task)
            default:
                let task = Task { [self] in
                    let failure = await startMaster(alias: alias)
                    let outcome: Master? = failure == nil ? .running : nil
                    state.withLock { $0.masters[alias] = outcome }
                    return failure
                }
                current.masters[alias] = .starting(task)
                return .wait(task)
            }
        }
        switch next {
        case .ready: return
        case .closed: throw TransportError(host: host, message: "the ssh client was closed")
        case .wait(let task): if let failure = await task.value { throw failure }
        }
    }

    /// `-N -f`: authenticate, then fork into the background (a new session, stdio on
    /// /dev/null) and serve clients until `controlPersist` of idleness or `-O exit`.
    private func startMaster(alias: String) async -> TransportError? {
        let host = "ssh:\(alias)"
        guard !alias.hasPrefix("-"), !alias.isEmpty else {
            return TransportError(host: host, message: "invalid ssh alias \(alias.debugDescription)")
        }
        let socket = controlPath(for: alias)
        if FileManager.default.fileExists(atPath: socket) {
            // Left by a master that was killed: it would make ControlMaster=yes give up sharing.
            try? FileManager.default.removeItem(atPath: socket)
        }
        let arguments = baseArguments(for: alias) + ["-o", "ControlMaster=yes", "-N", "-f", "--", alias]
        let outcome = await collect(arguments, timeout: options.connectTimeout + .seconds(30))
        switch outcome {
        case .failure(let message):
            return TransportError(host: host, message: "cannot start ssh: \(message)")
        case .success(let result, let lines) where !result.succeeded:
            let reason = result.timedOut ? "timed out" : "\(result.termination)"
            return TransportError(host: host, message: "cannot connect (ssh \(reason)): \(Self.summary(of: lines))")
        case .success:
            return nil
        }
    }

    /// Ends `alias`'s master (`ssh -O exit`), if it runs.
    func closeMaster(alias: String) async {
        let socket = controlPath(for: alias)
        if FileManager.default.fileExists(atPath: socket) {
            _ = await collect(baseArguments(for: alias) + ["-O", "exit", "--", alias], timeout: .seconds(15))
            try? FileManager.default.removeItem(atPath: socket)
        }
        state.withLock { state in
            if case .running? = state.masters[alias] { state.masters[alias] = nil }
        }
    }

    /// Ends every master and removes the socket folder. Commands still running over a master
    /// are cut off, so call this after all work is done; later calls fail with a TransportError.
    public func close() async {
        let aliases = state.withLock { state in
            state.closed = true
            return Array(state.socketNames.keys)
        }
        for alias in aliases { await closeMaster(alias: alias) }
        try? FileManager.default.removeItem(atPath: controlDirectory)
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    enum Collected {
        case success(ProcessResult, [String])
        case failure(String)
    }

    /// Runs a local command to completion, keeping its output lines (stdout and stderr).
    func collect(_ arguments: [String], timeout: Duration?) async -> Collected {
        let lines = Mutex<[String]>([])
        do {
            let spec = ProcessSpec(arguments: arguments, environment: options.environment, timeout: timeout)
            let result = try await runProcess(spec) { _, line in lines.withLock { $0.append(line) } }
            return .success(result, lines.withLock { $0 })
        } catch {
            return .failure(error.description)
        }
    }

    /// The tail of ssh's own messages, for an error message.
    static func summary(of lines: [String]) -> String {
        let meaningful = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return meaningful.isEmpty ? "no message from ssh" : meaningful.suffix(10).joined(separator: " / ")
    }
}
