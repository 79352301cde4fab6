/// Why a process could not be started. Once started, every outcome is a `ProcessResult`.
public enum ProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case noArguments
    /// A name without `/` on none of the `PATH` directories (`searchPath` as used), or, with
    /// `searchPath` nil, a path that does not exist.
    case executableNotFound(name: String, searchPath: String?)
    /// The path exists but is a directory or lacks execute permission.
    case notExecutable(path: String)
    case workingDirectoryNotFound(path: String)
    /// An argument or environment entry contains a NUL byte, which cannot cross `execve`.
    case invalidString(String)
    case pipeFailed(errno: Int32)
    case spawnFailed(executable: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case .noArguments:
            "cannot start a process: no command given"
        case .executableNotFound(let name, let searchPath?):
            "cannot start \"\(name)\": command not found on PATH (\(searchPath))"
        case .executableNotFound(let name, nil):
            "cannot start \"\(name)\": no such file"
        case .notExecutable(let path):
            "cannot start \"\(path)\": not an executable file"
        case .workingDirectoryNotFound(let path):
            "cannot start process: working directory \"\(path)\" does not exist or is not a directory"
        case .invalidString(let value):
            "cannot start process: \(value.debugDescription) contains a NUL byte"
        case .pipeFailed(let code):
            "cannot create output pipes (errno \(code))"
        case .spawnFailed(let executable, let code, let message):
            "cannot start \"\(executable)\": \(message) (errno \(code))"
        }
    }
}
