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
    public var filesAreLocal: Bool { true }

    /// Once per process: script files a killed runner left in /tmp go.
    private static let sweptScriptFolders: Void = ScratchFolders.sweep(in: "/tmp", "slipway-script.")

    public func run(_ script: String, environment: [String: String], timeout: Duration?,
                    onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["SLIPWAY_HOST_ROOT"] = root
        // Linux refuses one argument past 128 KiB: a long script (an install of thousands of
        // files) is read by the shell from a private file instead.
        var arguments = ["/bin/sh", "-c", script]
        var scriptFolder: String?
        if script.utf8.count > RemoteRunScript.largeScriptBytes {
            _ = Self.sweptScriptFolders
            var template = Array((ScratchFolders.namePrefix(in: "/tmp", "slipway-script.") + "XXXXXX").utf8CString)
            guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }),
                  FileManager.default.createFile(atPath: folder + "/script.sh", contents: Data(script.utf8)) else {
                throw TransportError(host: description, message: "cannot write the script to a temporary file: \(String(cString: strerror(errno)))")
            }
            scriptFolder = folder
            arguments = ["/bin/sh", folder + "/script.sh"]
        }
        defer { if let scriptFolder { try? FileManager.default.removeItem(atPath: scriptFolder) } }
        let spec = ProcessSpec(arguments: arguments, environment: env, workingDirectory: root,
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

    /// In this process: a scripts.log append must not cost a shell per host.
    public func append(_ text: String, to path: String) async throws(TransportError) {
        let parent = (path as NSString).deletingLastPathComponent
        let descriptor: Int32
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw TransportError(host: description, message: "cannot append to \(path): \(error.localizedDescription)")
        }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw TransportError(host: description, message: "cannot append to \(path): \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
