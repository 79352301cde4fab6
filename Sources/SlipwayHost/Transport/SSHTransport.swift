import Foundation
import SlipwayProcess

/// A host reached with the system OpenSSH client under an alias of the user's ssh
/// configuration. Commands share one master connection per alias (see `SSHClient`); each
/// `run` hands its program to the remote `/bin/sh` as one single-quoted argument when it
/// carries no environment values (else, and past 64 KiB, on stdin to `/bin/sh -s`: values may be
/// secrets, and command lines are public), so the login shell only ever sees quoted text: it
/// must be a POSIX-style shell (sh, bash, dash, ksh, zsh), as for the upload command.
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
        // A small program without environment values rides on the command line (no temporary
        // file per command). One with values goes on stdin: they may be secrets, and a command
        // line is visible to every user of both machines (`ps`). So does a large one: command
        // lines are bounded.
        if environment.isEmpty, rendered.utf8.count <= Self.maxInlineProgram {
            return try await client.withMaster(alias: alias) { () async throws(TransportError) in
                try await execute(program, remoteCommand: Self.inline(rendered), feed: nil, upload: nil, timeout: timeout, onLine: onLine)
            }
        }
        let feed = StdinFeed(Array(rendered.utf8))
        feed.finish()
        return try await client.withMaster(alias: alias) { () async throws(TransportError) in
            try await execute(program, remoteCommand: "/bin/sh -s", feed: feed, upload: nil, timeout: timeout, onLine: onLine)
        }
    }

    /// The remote command that runs `program` with /bin/sh, whatever the login shell does with
    /// the rest: single quotes are the one quoting every POSIX shell leaves alone.
    static func inline(_ program: String) -> String {
        "exec /bin/sh -c \(Shell.quote(program)) slipway-run"
    }

    /// One ssh client: stdin carries the program's lines and then the file (the line count is an
    /// argument); the upload command reads the program, receives the file, then runs it (see
    /// `RemoteUploadCommand`). The stdin is held in memory, so this is for small files
    /// (`maxFusedFile`, a revision bundle) and programs; larger ones take two trips.
    public func upload(_ localPath: String, to remotePath: String, thenRun script: String, environment: [String: String],
                       timeout: Duration?, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        try await runOverStdin(script, environment: environment, timeout: timeout,
                               upload: FileTransfer(local: localPath, remote: remotePath), trailer: nil, onLine: onLine)
    }

    /// The run and its trailer in one ssh client: when the program asks once the script is
    /// over, the trailer's text follows on stdin, and the program appends it to the file on the
    /// host. This is what saves the last round trip of a host's deployment (its scripts.log
    /// entries). A trailer the run could not take (the client was stopped) falls back to `append`.
    public func run(_ script: String, environment: [String: String], timeout: Duration?, uploading upload: FileTransfer?,
                    trailer: LogTrailer, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        try await runOverStdin(script, environment: environment, timeout: timeout, upload: upload, trailer: trailer, onLine: onLine)
    }

    /// stdin is a pipe carrying the program's lines (read with the `read` builtin, see
    /// `RemoteUploadCommand`), then the file of a fused upload, then, with a trailer, its text
    /// once the program asks for it. Without a trailer the pipe ends after the file, so the file
    /// is read up to end of file; with one it is read with `head -c`. A program too large to
    /// read line by line runs alone (after a separate upload), and the trailer is appended after.
    private func runOverStdin(_ script: String, environment: [String: String], timeout: Duration?, upload: FileTransfer?,
                              trailer: LogTrailer?, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        let program = RemoteRunScript(script: script, environment: environment, nonce: UUID().uuidString, trailerPath: trailer?.path)
        let rendered: String
        do { rendered = try program.render() } catch { throw failure(error.message) }
        let result: ProcessResult
        if rendered.utf8.count > Self.maxInlineProgram {
            if let upload { try await self.upload(upload.local, to: upload.remote) }
            result = try await run(script, environment: environment, timeout: timeout, onLine: onLine)
        } else {
            let lines = rendered.utf8.count { $0 == UInt8(ascii: "\n") }
            var input = Array(rendered.utf8)
            var command = RemoteUploadCommand.runCommand(programLines: lines)
            var fused: FileTransfer?
            if let upload {
                let size = try checkedUploadSource(upload.local, destination: upload.remote)
                if size <= Self.maxFusedFile {
                    do { input += try Data(contentsOf: URL(fileURLWithPath: upload.local)) } catch {
                        throw failure("cannot read \(upload.local): \(error.localizedDescription)")
                    }
                    command = RemoteUploadCommand.command(destination: upload.remote, expectedSize: size, programLines: lines,
                                                          exactSize: trailer != nil)
                    fused = upload
                } else {
                    try await self.upload(upload.local, to: upload.remote)
                }
            }
            let feed = StdinFeed(input)
            if trailer == nil { feed.finish() }
            result = try await client.withMaster(alias: alias) { () async throws(TransportError) in
                try await execute(program, remoteCommand: command, feed: feed, trailer: trailer,
                                  upload: fused.map { ($0.local, $0.remote) }, timeout: timeout, onLine: onLine)
            }
        }
        if let trailer { await appendTrailer(trailer) }
        return result
    }

    /// Files up to this size ride with their program (held in memory); larger ones go alone.
    static let maxFusedFile: UInt64 = 4 << 20
    static let maxInlineProgram = 64 * 1024
    /// How long the client may keep running after the script's closing line (see `remoteExited`).
    var lingerGrace: Duration { client.options.lingerGrace }

    private func execute(_ program: RemoteRunScript, remoteCommand: String, feed: StdinFeed?,
                         trailer: LogTrailer? = nil, upload: (local: String, remote: String)?, timeout: Duration?,
                         onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        let control = RemoteRunControl(
            announcementGrace: client.options.killGrace,
            killRemote: { [self] target in await killRemote(target) },
            forward: onLine)
        let spec = ProcessSpec(
            arguments: client.commandArguments(for: alias, remoteCommand: remoteCommand),
            environment: client.options.environment,
            killGrace: client.options.killGrace,
            stdinFeed: feed)
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
                    } else if stream == .stdout, let closing = program.closing(in: line) {
                        if !closing.before.isEmpty { onLine(.stdout, String(closing.before)) }
                        control.remoteExited(status: closing.status, grace: lingerGrace)
                    } else if let trailer, let feed, let before = program.trailerRequest(in: line) {
                        // Once the request came on both streams, every line of the script has
                        // been handed on (this thread delivers each stream in order), so the
                        // text is complete.
                        if !before.isEmpty {
                            if stream == .stdout { onLine(.stdout, String(before)) } else { control.errorLine(String(before)) }
                        }
                        if control.trailerRequested(on: stream) { feed.finish(appending: Array(trailer.makeText().utf8)) }
                    } else if stream == .stdout, let trailer, let status = program.logged(in: line) {
                        if status == 0 { trailer.markWritten() }
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
        let outputLeftOpen = control.finish()
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
        if let upload, control.target == nil, control.stopReason == nil, !result.succeeded {
            throw failure("upload of \(upload.local) to \(upload.remote) failed (\(result.termination)): \(SSHClient.summary(of: held))")
        }
        for line in held { onLine(.stderr, line) }
        let reason = control.stopReason
        result.timedOut = reason == .timeout
        result.cancelled = reason == .cancellation
        if let status = control.remoteStatus, reason == nil {
            // The script's own status, whatever happened to the client afterwards.
            result.termination = .exited(status)
            result.outputLeftOpen = result.outputLeftOpen || outputLeftOpen
        }
        return result
    }

    public func upload(_ localPath: String, to remotePath: String) async throws(TransportError) {
        let size = try checkedUploadSource(localPath, destination: remotePath)
        let command = RemoteUploadCommand.command(destination: remotePath, expectedSize: size)
        let arguments = client.commandArguments(for: alias, remoteCommand: command)
        try await client.withMaster(alias: alias) { () async throws(TransportError) in
            switch await client.collect(arguments, timeout: nil, stdinPath: localPath) {
            case .failure(let message):
                throw failure("cannot start ssh: \(message)")
            case .success(let result, let lines) where result.termination == .exited(255):
                throw failure("ssh failed: \(SSHClient.summary(of: lines))")
            case .success(let result, let lines) where !result.succeeded:
                throw failure("upload of \(localPath) to \(remotePath) failed (\(result.termination)): \(SSHClient.summary(of: lines))")
            case .success:
                return
            }
        }
    }

    /// The size of the regular file to upload, after checking the destination can be expressed.
    private func checkedUploadSource(_ localPath: String, destination remotePath: String) throws(TransportError) -> UInt64 {
        guard remotePath.hasPrefix("/") else { throw failure("upload destination \(remotePath.debugDescription) is not an absolute path") }
        guard !remotePath.utf8.contains(0) else { throw failure("upload destination contains a NUL byte") }
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: localPath)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { throw failure("\(localPath) is not a regular file") }
            return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch let error as TransportError {
            throw error
        } catch {
            throw failure("cannot read \(localPath): \(error.localizedDescription)")
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

    private func failure(_ message: String) -> TransportError {
        TransportError(host: description, message: message)
    }
}
