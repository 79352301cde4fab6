#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves `argv[0]` the way a shell would, but against the CHILD's `PATH`: the spec's
/// environment is complete, so the parent's `PATH` (what `posix_spawnp` uses) is the wrong one.
enum ExecutableLookup {
    /// Used when the child's environment has no `PATH`, matching glibc's `execvp` default.
    static let defaultSearchPath = "/bin:/usr/bin"

    static func resolve(_ name: String, environment: [String: String], workingDirectory: String?) throws(ProcessError) -> String {
        if name.isEmpty { throw .executableNotFound(name: name, searchPath: "") }
        if name.contains("/") {
            // A relative path is resolved from the child's working directory, where exec will
            // run after the chdir file action.
            let checked = name.hasPrefix("/") || workingDirectory == nil ? name : "\(workingDirectory!)/\(name)"
            switch status(of: checked) {
            case .executable: return name
            case .missing: throw .executableNotFound(name: name, searchPath: nil)
            case .notExecutable: throw .notExecutable(path: name)
            }
        }
        let searchPath = environment["PATH"] ?? defaultSearchPath
        var sawNonExecutable: String?
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            // An empty PATH entry means the current directory, per POSIX.
            let base = directory.isEmpty ? (workingDirectory ?? ".") : String(directory)
            let candidate = base.hasSuffix("/") ? base + name : base + "/" + name
            switch status(of: candidate) {
            case .executable: return candidate
            case .notExecutable: sawNonExecutable = sawNonExecutable ?? candidate
            case .missing: continue
            }
        }
        if let sawNonExecutable { throw .notExecutable(path: sawNonExecutable) }
        throw .executableNotFound(name: name, searchPath: searchPath)
    }

    enum Status { case executable, notExecutable, missing }

    static func status(of path: String) -> Status {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        return isRegular && access(path, X_OK) == 0 ? .executable : .notExecutable
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
