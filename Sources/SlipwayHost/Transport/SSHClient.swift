import Foundation
import SlipwayProcess
import Synchronization

/// Opened once; waiters resume when it opens (or at once if it already has).
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Shared state for talking to many hosts over the system OpenSSH client: one private folder
/// of control sockets, and at most one master connection per ssh alias, started once however
/// many tasks ask for it at the same moment. Hand out one `SSHTransport` per host with
/// `transport(alias:)`; call `close()` when done to end the masters.
public final class SSHClient: Sendable {
    public let options: SSHOptions
    /// Private (0700) folder holding the control sockets: no other user can reach our masters.
    public let controlDirectory: String

    private enum Master {
        /// The first command for the alias is running; its client opens the master.
        case starting(Gate)
        case running
    }

    private struct State {
        var socketNames: [String: String] = [:]
        var masters: [String: Master] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    static let scratchPrefix = "slipway-ssh."

    public init(options: SSHOptions = SSHOptions()) throws(TransportError) {
        self.options = options
        // /tmp rather than $TMPDIR: a socket path must fit in 108 bytes (sun_path). Named after
        // our pid, so the next client removes what a killed runner left.
        ScratchFolders.sweep(in: "/tmp", Self.scratchPrefix)
        var template = Array((ScratchFolders.namePrefix(in: "/tmp", Self.scratchPrefix) + "XXXXXX").utf8CString)
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
    /// is not running (the first command for the alias, or it expired), this client starts one
    /// (which backgrounds itself) instead of failing. `-T`: a configured `RequestTTY` would merge stderr into stdout.
    func commandArguments(for alias: String, remoteCommand: String) -> [String] {
        baseArguments(for: alias) + ["-o", "ControlMaster=auto", "-T", "--", alias, remoteCommand]
    }

    private enum MasterStep { case ready, closed, wait(Gate), start(Gate) }

    /// Runs `work` (one ssh command for `alias`) over the alias's master. When none runs yet,
    /// `work` itself opens it: every command has ControlMaster=auto and ControlPersist, so the
    /// first client authenticates, forks the master into the background and runs its command
    /// through it. No separate `ssh -M -N -f` per host: that would be one more ssh process (and
    /// its start-up CPU) for every host of a deployment. Concurrent callers wait for that first
    /// command to end, then share its master; if it failed, the next caller tries again.
    func withMaster<T: Sendable>(alias: String, _ work: () async throws(TransportError) -> T) async throws(TransportError) -> T {
        let host = "ssh:\(alias)"
        guard !alias.hasPrefix("-"), !alias.isEmpty else {
            throw TransportError(host: host, message: "invalid ssh alias \(alias.debugDescription)")
        }
        let socket = controlPath(for: alias)
        while true {
            let next = state.withLock { current -> MasterStep in
                if current.closed { return .closed }
                switch current.masters[alias] {
                case .running? where FileManager.default.fileExists(atPath: socket):
                    return .ready
                case .starting(let gate)?:
                    return .wait(gate)
                default:
                    let gate = Gate()
                    current.masters[alias] = .starting(gate)
                    return .start(gate)
                }
            }
            switch next {
            case .closed:
                throw TransportError(host: host, message: "the ssh client was closed")
            case .ready:
                return try await work()
            case .wait(let gate):
                await gate.wait()
            case .start(let gate):
                // A socket left by a killed master would make the client give up sharing.
                if FileManager.default.fileExists(atPath: socket) { try? FileManager.default.removeItem(atPath: socket) }
                let result: Result<T, TransportError>
                do throws(TransportError) { result = .success(try await work()) } catch { result = .failure(error) }
                let opened = FileManager.default.fileExists(atPath: socket)
                state.withLock { $0.masters[alias] = opened ? .running : nil }
                gate.open()
                return try result.get()
            }
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
    func collect(_ arguments: [String], timeout: Duration?, stdinPath: String? = nil) async -> Collected {
        let lines = Mutex<[String]>([])
        do {
            let spec = ProcessSpec(arguments: arguments, environment: options.environment, timeout: timeout, stdinPath: stdinPath)
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
