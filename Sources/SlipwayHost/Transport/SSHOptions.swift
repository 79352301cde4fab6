import Foundation

/// How `SSHClient` invokes the system OpenSSH client. Everything else (user, port, keys, jump
/// hosts, known hosts) comes from the user's ssh configuration, which we leave in charge.
public struct SSHOptions: Sendable {
    /// `ssh -F FILE`; nil reads ~/.ssh/config and /etc/ssh/ssh_config as usual.
    public var configFile: String?
    /// `ConnectTimeout`: a dead host must fail a deploy, not hang it.
    public var connectTimeout: Duration
    /// How long an idle shared connection stays open after its last command.
    public var controlPersist: Duration
    /// After a timeout the remote process group gets TERM, then KILL after this long.
    /// Rounded up to whole seconds (the remote side counts with `sleep 1`).
    public var killGrace: Duration
    /// How long to wait for ssh to end after the remote script did, before concluding that a
    /// process it started (a daemon) holds the session's output open and stopping the client.
    public var lingerGrace: Duration
    /// The `ssh` program: a path, or a name looked up on `environment`'s PATH.
    public var sshExecutable: String
    /// The environment of every local `ssh` process (HOME, PATH, SSH_AUTH_SOCK matter).
    public var environment: [String: String]

    public init(
        configFile: String? = nil,
        connectTimeout: Duration = .seconds(10),
        controlPersist: Duration = .seconds(60),
        killGrace: Duration = .seconds(5),
        lingerGrace: Duration = .seconds(1),
        sshExecutable: String = "ssh",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.configFile = configFile
        self.connectTimeout = connectTimeout
        self.controlPersist = controlPersist
        self.killGrace = killGrace
        self.lingerGrace = lingerGrace
        self.sshExecutable = sshExecutable
        self.environment = environment
    }
}

extension Duration {
    /// Whole seconds, rounded up, at least 1: what ssh options and `sleep` accept.
    var wholeSecondsRoundedUp: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
