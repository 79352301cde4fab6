import SlipwayProcess  // ProcessResult, OutputStream (alias ProcessOutputStream)

/// Where a host's lifecycle commands run: this machine (a folder is the host's root), a machine
/// over OpenSSH, or an EC2 instance through SSM. Hosts need only a POSIX shell and tar.
public protocol HostTransport: Sendable {
    /// A short name for messages: "local:/tmp/hosts/web-1", "ssh:web-1".
    var description: String { get }
    /// Output lines arrive while a script runs, not only when it ends. Then several commands
    /// can share one run (`CommandBatch`): their timeouts are enforced from the lines.
    var streamsOutput: Bool { get }
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
}

extension HostTransport {
    public var streamsOutput: Bool { true }

    public func upload(_ localPath: String, to remotePath: String, thenRun script: String, environment: [String: String],
                       timeout: Duration?, onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        try await upload(localPath, to: remotePath)
        return try await run(script, environment: environment, timeout: timeout, onLine: onLine)
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
