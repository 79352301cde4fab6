import Foundation
import SlipwayProcess

/// A host reached with the system OpenSSH client under an alias of the user's ssh
/// configuration. Commands share one master connection per alias (see `SSHClient`); each
/// `run` sends its program on stdin to `/bin/sh -s`, so the script never appears on a command
/// line and is never re-parsed by the remote login shell.
public struct SSHTransport: HostTransport {
    public let alias: String
    public let client: SSHClient

    public var description: String { "ssh:\(alias)" }

    public init(alias: String, client: SSHClient) {
        self.alias = alias
        self.client = client
    }

    /// Ends this alias's master connection (`ssh -O exit`). A later command starts a new one.
    public func close() async {
        await client.closeMaster(alias: alias)
    }

    public func run(
        _ script: String,
        environment: [String: String],
        timeout: Duration?,
        onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void
    ) async throws(TransportError) -> ProcessResult {
        let program = RemoteRunScript(script: script, environment: environment, nonce: UUID().uuidString)
        let rendered: String
        do { rendered = try program.render() } catch { throw failure(error.message) }
        try await client.ensureMaster(alias: alias)

        let programFile = "\(client.controlDirectory)/run-\(UUID().uuidString).sh"
        guard FileManager.default.createFile(atPath: programFile, contents: Data(rendered.utf8)) else {
            throw failure("cannot write a temporary file in \(client.controlDirectory)")
        }
        defer { try? FileManager.default.removeItem(atPath: programFile) }

        let control = RemoteRunControl(
            announcementGrace: client.options.killGrace,
            killRemote: { [self] target in await killRemote(target) },
            forward: onLine)
        let spec = ProcessSpec(
            arguments: Self.withStdin(from: programFile, client.commandArguments(for: alias, remoteCommand: "/bin/sh -s")),
            environment: client.options.environment,
            killGrace: client.options.killGrace)
        let watchdog = timeout.map { timeout in
            Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { control.requestStop(.timeout) }
            }
        }
        let outcome: Result<ProcessResult, ProcessError> = await withTaskCancellationHandler {
            do throws(ProcessError) {
                return .success(try await runProcess(spec, onLine: { stream, line in
                    if stream == .stdout, control.target == nil, let target = program.killTarget(inAnnouncement: line) {
                        control.started(target: target)
                    } else if stream == .stderr {
                        control.errorLine(line)
                    } else {
                        onLine(stream, line)
                    }
                }, isCancelled: { control.shouldKillLocalClient }))
            } catch {
                return .failure(error)
            }
        } onCancel: {
            control.requestStop(.cancellation)
        }
        watchdog?.cancel()
        control.finish()
        // The remote group must be gone before we report the run as over.
        await control.remoteKill?.value

        var result: ProcessResult
        switch outcome {
        case .failure(let error): throw failure("cannot start ssh: \(error.description)")
        case .success(let value): result = value
        }
        let held = control.takeHeldErrorLines()
        // Exit 255 before the script announced itself: ssh could not connect or start the
        // shell. Afterwards 255 is the script's own status (or a dropped connection).
        if control.target == nil, control.stopReason == nil, result.termination == .exited(255) {
            throw failure("ssh failed: \(SSHClient.summary(of: held))")
        }
        for line in held { onLine(.stderr, line) }
        let reason = control.stopReason
        result.timedOut = reason == .timeout
        result.cancelled = reason == .cancellation
        return result
    }

    public func upload(_ localPath: String, to remotePath: String) async throws(TransportError) {
        guard remotePath.hasPrefix("/") else { throw failure("upload destination \(remotePath.debugDescription) is not an absolute path") }
        guard !remotePath.utf8.contains(0) else { throw failure("upload destination contains a NUL byte") }
        let size: UInt64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: localPath)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { throw failure("\(localPath) is not a regular file") }
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch let error as TransportError {
            throw error
        } catch {
            throw failure("cannot read \(localPath): \(error.localizedDescription)")
        }
        try await client.ensureMaster(alias: alias)

        let command = RemoteUploadCommand.command(destination: remotePath, expectedSize: size)
        let arguments = Self.withStdin(from: localPath, client.commandArguments(for: alias, remoteCommand: command))
        switch await client.collect(arguments, timeout: nil) {
        case .failure(let message):
            throw failure("cannot start ssh: \(message)")
        case .success(let result, let lines) where !result.succeeded:
            throw failure("upload of \(localPath) to \(remotePath) failed (\(result.termination)): \(SSHClient.summary(of: lines))")
        case .success:
            return
        }
    }

    /// TERM, grace, KILL to the remote group, over the shared connection. Bounded: a host that
    /// stopped answering must not hang the caller forever.
    private func killRemote(_ target: RemoteRunScript.KillTarget) async {
        let grace = client.options.killGrace.wholeSecondsRoundedUp
        let command = RemoteRunScript.killCommand(target: target, graceSeconds: grace)
        let timeout = client.options.connectTimeout + .seconds(grace + 10)
        _ = await client.collect(client.commandArguments(for: alias, remoteCommand: command), timeout: timeout)
    }

    /// `runProcess` gives children /dev/null as stdin; a tiny local shell redirects it from a
    /// file and execs the command, so the ssh client stays the process group leader.
    static func withStdin(from file: String, _ arguments: [String]) -> [String] {
        ["/bin/sh", "-c", "input=$1; shift; exec \"$@\" <\"$input\"", "slipway-stdin", file] + arguments
    }

    private func failure(_ message: String) -> TransportError {
        TransportError(host: description, message: message)
    }
}
