/// What to run and how: everything `runProcess` needs, as plain data.
public struct ProcessSpec: Sendable, Equatable {
    /// `arguments[0]` is a path (contains a `/`) or a name looked up on the `PATH` of `environment`.
    public var arguments: [String]
    /// The complete environment of the child: nothing of ours leaks in.
    public var environment: [String: String]
    public var workingDirectory: String?
    /// After this long the whole process group gets SIGTERM, then SIGKILL after `killGrace`.
    public var timeout: Duration?
    public var killGrace: Duration
    /// How long to keep reading after the child exited while a background process still holds
    /// its stdout/stderr open (a daemon started without redirecting its output).
    public var lingerGrace: Duration
    /// Longer lines are split into pieces of at most this many bytes, each but the last ending
    /// with `ProcessSpec.longLineMarker`, so a runaway line cannot grow memory without bound.
    public var maxLineBytes: Int
    /// A file the child reads as stdin; nil: /dev/null. Opened by the spawn itself, so sending
    /// a file to a child (an upload over ssh) costs no extra process.
    public var stdinPath: String?
    /// A pipe the caller feeds while the child runs (see `StdinFeed`); takes precedence over
    /// `stdinPath`.
    public var stdinFeed: StdinFeed?

    /// Appended to every piece of a line that was split because it exceeded `maxLineBytes`.
    public static let longLineMarker = " [line continues]"

    public init(
        arguments: [String],
        environment: [String: String],
        workingDirectory: String? = nil,
        timeout: Duration? = nil,
        killGrace: Duration = .seconds(5),
        lingerGrace: Duration = .milliseconds(500),
        maxLineBytes: Int = 64 * 1024,
        stdinPath: String? = nil,
        stdinFeed: StdinFeed? = nil
    ) {
        self.stdinPath = stdinPath
        self.stdinFeed = stdinFeed
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.killGrace = killGrace
        self.lingerGrace = lingerGrace
        self.maxLineBytes = maxLineBytes
    }
}

/// Which pipe a line came from.
public enum OutputStream: String, Sendable, Codable, Equatable {
    case stdout, stderr
}

/// `OutputStream` clashes with Foundation's class of the same name in files importing both;
/// this alias is the unambiguous spelling.
public typealias ProcessOutputStream = OutputStream
