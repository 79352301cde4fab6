import SlipwayProcess  // ProcessResult, OutputStream (alias ProcessOutputStream)

/// Where a host's lifecycle commands run: this machine (a folder is the host's root), a machine
/// over OpenSSH, or an EC2 instance through SSM. Hosts need only a POSIX shell and tar.
public protocol HostTransport: Sendable {
    /// A short name for messages: "local:/tmp/hosts/web-1", "ssh:web-1".
    var description: String { get }
    /// Runs `script` with /bin/sh on the host, in its own process group there, with `environment`
    /// added to the host's; output line by line; TERM then KILL to the group on timeout.
    func run(_ script: String, environment: [String: String], timeout: Duration?,
             onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult
    /// Copies a local file to an absolute path on the host (creating parent folders).
    func upload(_ localPath: String, to remotePath: String) async throws(TransportError)
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
