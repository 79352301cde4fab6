import Foundation
import SlipwayProcess

/// A "host" that is a folder on this machine: its root stands for `/`, so the lifecycle puts
/// absolute destinations under it (see `HostLayout.local`). Scripts run with /bin/sh in their
/// own process group and see the folder as `SLIPWAY_HOST_ROOT`.
public struct LocalTransport: HostTransport {
    public let root: String
    /// How long the process group gets between TERM and KILL on timeout.
    public var killGrace: Duration
    /// How long to keep reading after the script exited while a daemon holds its output open.
    public var lingerGrace: Duration

    public init(root: String, killGrace: Duration = .seconds(5), lingerGrace: Duration = .milliseconds(500)) {
        self.root = root
        self.killGrace = killGrace
        self.lingerGrace = lingerGrace
    }

    public var description: String { "local:\(root)" }

    public func run(_ script: String, environment: [String: String], timeout: Duration?,
                    onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["SLIPWAY_HOST_ROOT"] = root
        let spec = ProcessSpec(arguments: ["/bin/sh", "-c", script], environment: env, workingDirectory: root,
                               timeout: timeout, killGrace: killGrace, lingerGrace: lingerGrace)
        do {
            return try await runProcess(spec, onLine: onLine)
        } catch {
            throw TransportError(host: description, message: error.description)
        }
    }

    public func upload(_ localPath: String, to remotePath: String) async throws(TransportError) {
        let manager = FileManager.default
        do {
            let parent = (remotePath as NSString).deletingLastPathComponent
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if manager.fileExists(atPath: remotePath) { try manager.removeItem(atPath: remotePath) }
            try manager.copyItem(atPath: localPath, toPath: remotePath)
        } catch {
            throw TransportError(host: description, message: "cannot copy \(localPath) to \(remotePath): \(error.localizedDescription)")
        }
    }
}
