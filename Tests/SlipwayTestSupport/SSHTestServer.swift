import Foundation
import SlipwayProcess

/// An OpenSSH server on 127.0.0.1 for tests: the one `scripts/test` started (SLIPWAY_SSH_PORT,
/// SLIPWAY_SSH_KEY, SLIPWAY_SSH_USER), or else a private `sshd -D` started here the same way
/// (host key and authorized key in a temporary folder; /etc/ssh is left alone).
///
/// The private server sets `SetEnv HOME=<empty folder>` so the remote login shell (root's
/// bash here) does not source root's .bashrc, whose `pyenv init` costs ~0.15 s per command.
/// Nothing in the transport depends on it; the shared server of scripts/test is just slower.
public final class SSHTestServer: Sendable {
    public let port: Int
    public let keyFile: String
    public let user: String
    public let folder: String
    private let sshdPID: pid_t?

    /// `shared`: use the sshd `scripts/test` started (`SLIPWAY_SSH_*`) when there is one; else
    /// (or with `shared: false`) start a private one for this test.
    public static func start(shared: Bool = true) throws -> SSHTestServer {
        let folder = try makeTemporaryFolder(prefix: "slipway-sshd")
        let environment = ProcessInfo.processInfo.environment
        if shared, let portText = environment["SLIPWAY_SSH_PORT"], let port = Int(portText),
           let key = environment["SLIPWAY_SSH_KEY"] {
            return SSHTestServer(port: port, keyFile: key, user: environment["SLIPWAY_SSH_USER"] ?? NSUserName(),
                                 folder: folder, sshdPID: nil)
        }
        try runShell("ssh-keygen -q -t ed25519 -N '' -f '\(folder)/host_key' && ssh-keygen -q -t ed25519 -N '' -f '\(folder)/client_key'"
                  + " && cp '\(folder)/client_key.pub' '\(folder)/authorized_keys' && chmod 600 '\(folder)/authorized_keys'"
                  + " && mkdir -p /run/sshd '\(folder)/home'")
        let port = try freePort()
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(folder)/host_key
            AuthorizedKeysFile \(folder)/authorized_keys
            PidFile \(folder)/sshd.pid
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            MaxStartups 100:30:200
            MaxSessions 100
            SetEnv HOME=\(folder)/home

            """
        try config.write(toFile: "\(folder)/sshd_config", atomically: true, encoding: .utf8)
        let sshdPID = try spawnDetached(["/usr/sbin/sshd", "-D", "-e", "-f", "\(folder)/sshd_config"], errorLog: "\(folder)/sshd.log")
        let server = SSHTestServer(port: port, keyFile: "\(folder)/client_key", user: NSUserName(), folder: folder, sshdPID: sshdPID)
        try server.waitUntilListening()
        return server
    }

    private init(port: Int, keyFile: String, user: String, folder: String, sshdPID: pid_t?) {
        self.port = port
        self.keyFile = keyFile
        self.user = user
        self.folder = folder
        self.sshdPID = sshdPID
    }

    /// SIGKILL, not SIGTERM: the test runner's children inherit a blocked SIGTERM.
    public func stop() {
        if let sshdPID {
            kill(sshdPID, SIGKILL)
            var status: Int32 = 0
            waitpid(sshdPID, &status, 0)
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// An ssh config `Host` block for `alias` pointing at `port` (default: this server).
    public func hostBlock(alias: String, port: Int? = nil) -> String {
        """
        Host \(alias)
          HostName 127.0.0.1
          Port \(port ?? self.port)
          User \(user)
          IdentityFile \(keyFile)
          IdentitiesOnly yes
          StrictHostKeyChecking no
          UserKnownHostsFile /dev/null
          LogLevel ERROR

        """
    }

    private func waitUntilListening() throws {
        for _ in 0..<200 {
            if Self.canConnect(port: port) { return }
            usleep(50_000)
        }
        throw TestSetupError("sshd did not start listening on 127.0.0.1:\(port)")
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port nothing listens on (bound to 0, read back, released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound else { throw TestSetupError("cannot bind a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public func makeTemporaryFolder(prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
    guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw TestSetupError("mkdtemp failed")
    }
    return String(cString: created)
}

/// Starts a long-running local process with posix_spawn; we reap it ourselves in `stop()`.
/// (Foundation's `Process` would wait for it on its shared monitoring thread with a blocking
/// `waitpid`, stalling every other `Process` of the test run.)
func spawnDetached(_ arguments: [String], errorLog: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, errorLog, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // An empty signal mask: the test runner's children inherit a blocked SIGTERM, and sshd
    // would pass it on to the remote commands, which then could only be KILLed.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
    guard result == 0 else { throw TestSetupError("cannot start \(arguments[0]): errno \(result)") }
    return pid
}

/// Runs a local shell command for test setup; fails the setup on a non-zero exit.
func runShell(_ command: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestSetupError("setup command failed: \(command)") }
}
