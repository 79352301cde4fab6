import SlipwayProcess  // ProcessResult, OutputStream (alias ProcessOutputStream)
import Synchronization

/// Where a host's lifecycle commands run: this machine (a folder is the host's root), a machine
/// over OpenSSH, or an EC2 instance through SSM. Hosts need only a POSIX shell and tar.
public protocol HostTransport: Sendable {
    /// A short name for messages: "local:/tmp/hosts/web-1", "ssh:web-1".
    var description: String { get }
    /// Output lines arrive while a script runs, not only when it ends. Then several commands
    /// can share one run (`CommandBatch`): their timeouts are enforced from the lines.
    var streamsOutput: Bool { get }
    /// The host's paths are paths of this machine (the local transport), so small records can
    /// be read in process instead of by a script.
    var filesAreLocal: Bool { get }
    /// Runs `script` with /bin/sh on the host, in its own process group there, with `environment`
    /// added to the host's; output line by line; TERM then KILL to the group on timeout or when
    /// the calling task is cancelled.
    func run(_ script: String, environment: [String: String], timeout: Duration?,
             onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult
    /// Copies a local file to an absolute path on the host (creating parent folders).
    func upload(_ localPath: String, to remotePath: String) async throws(TransportError)
    /// Appends `text` to the file at an absolute path on the host (creating its folder).
    func append(_ text: String, to path: String) async throws(TransportError)
    /// `upload`, then `run`: in one round trip where the transport can (ssh).
    func upload(_ localPath: String, to remotePath: String, thenRun script: String, environment: [String: String],
                timeout: Duration?, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult
    /// `run` (after copying `upload` to the host, as `upload(_:to:thenRun:)`), then the trailer's
    /// text appended to its file on the host, whatever the script's status: in the same round
    /// trip where the transport can (ssh), else with `append`. `trailer.wasWritten` tells
    /// whether the text reached the file.
    func run(_ script: String, environment: [String: String], timeout: Duration?, uploading upload: FileTransfer?,
             trailer: LogTrailer, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult
}

/// A local file and where it goes on the host.
public struct FileTransfer: Sendable, Equatable {
    public let local: String
    public let remote: String

    public init(local: String, remote: String) {
        self.local = local
        self.remote = remote
    }
}

/// Text for a file on the host that is only known once a script has ended: the scripts.log
/// entries of the hooks it ran. `text` is asked for when the script is over (all its output
/// delivered to the line handler), at most once.
public final class LogTrailer: Sendable {
    public let path: String
    private let text: @Sendable () -> String
    private let written = Atomic<Bool>(false)

    public init(path: String, text: @escaping @Sendable () -> String) {
        self.path = path
        self.text = text
    }

    public func makeText() -> String { text() }
    public func markWritten() { written.store(true, ordering: .sequentiallyConsistent) }
    public var wasWritten: Bool { written.load(ordering: .sequentiallyConsistent) }
}

extension HostTransport {
    public var streamsOutput: Bool { true }
    public var filesAreLocal: Bool { false }

    public func upload(_ localPath: String, to remotePath: String, thenRun script: String, environment: [String: String],
                       timeout: Duration?, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        try await upload(localPath, to: remotePath)
        return try await run(script, environment: environment, timeout: timeout, onLine: onLine)
    }

    public func run(_ script: String, environment: [String: String], timeout: Duration?, uploading upload: FileTransfer?,
                    trailer: LogTrailer, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        try await runThenAppend(script, environment: environment, timeout: timeout, uploading: upload, trailer: trailer, onLine: onLine)
    }

    /// `run`, after copying `upload` to the host when there is one (`upload(_:to:thenRun:)`).
    public func run(_ script: String, environment: [String: String], timeout: Duration?, uploading upload: FileTransfer?,
                    onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        guard let upload else { return try await run(script, environment: environment, timeout: timeout, onLine: onLine) }
        return try await self.upload(upload.local, to: upload.remote, thenRun: script, environment: environment, timeout: timeout, onLine: onLine)
    }

    /// The trailer as a second round trip (`append`) after the run.
    func runThenAppend(_ script: String, environment: [String: String], timeout: Duration?, uploading upload: FileTransfer?,
                       trailer: LogTrailer, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        let result = try await run(script, environment: environment, timeout: timeout, uploading: upload, onLine: onLine)
        await appendTrailer(trailer)
        return result
    }

    /// `append` of the trailer's text, unless it is already on the host.
    func appendTrailer(_ trailer: LogTrailer) async {
        guard !trailer.wasWritten else { return }
        let text = trailer.makeText()
        if text.isEmpty {
            trailer.markWritten()
        } else if (try? await append(text, to: trailer.path)) != nil {
            trailer.markWritten()
        }
    }

    /// With shell builtins only (see `Shell.appendVariable`).
    public func append(_ text: String, to path: String) async throws(TransportError) {
        let script = Shell.appendVariable("SLIPWAY_APPEND", to: path, quiet: false)
        let result = try await run(script, environment: ["SLIPWAY_APPEND": text], timeout: .seconds(60)) { _, _ in }
        guard result.succeeded else { throw TransportError(host: description, message: "cannot append to \(path): \(result.termination)") }
    }
}

public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var message: String
    public var description: String { "\(host): \(message)" }

    public init(host: String, message: String) {
        self.host = host
        self.message = message
    }
}
