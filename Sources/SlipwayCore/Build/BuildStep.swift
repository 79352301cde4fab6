/// One build step of a pipeline: a shell script run in the workspace.
public struct BuildStep: Sendable, Equatable {
    public var name: String
    /// Run as `/bin/sh -c <run>`.
    public var run: String
    /// Relative to the workspace (an absolute path is used as is); nil is the workspace itself.
    public var dir: String?
    /// Added to the runner's base environment, overriding it.
    public var env: [String: String]
    public var timeout: Duration?

    public init(name: String, run: String, dir: String? = nil, env: [String: String] = [:], timeout: Duration? = nil) {
        self.name = name
        self.run = run
        self.dir = dir
        self.env = env
        self.timeout = timeout
    }
}
