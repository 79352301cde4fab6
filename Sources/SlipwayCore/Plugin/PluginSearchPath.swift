import Foundation

/// The folders scanned for plugin `.so` files, in precedence order (an earlier folder's plugin
/// shadows a later one serving the same target type).
public struct PluginSearchPath: Sendable, Equatable {
    public var directories: [String]

    public init(directories: [String]) {
        var seen = Set<String>()
        self.directories = directories
            .filter { !$0.isEmpty }
            .map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            .filter { seen.insert($0).inserted }
    }

    /// The documented order: `--plugin-path` values, `SLIPWAY_PLUGIN_PATH` (colon-separated),
    /// `<project>/.slipway/plugins`, `<dir of executable>/../lib/slipway/plugins` (installed
    /// layout), and the executable's own folder (SwiftPM's build folder during development).
    /// Relative entries are resolved against `workingDirectory`.
    public static func standard(
        pluginPaths: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        projectRoot: String?,
        executablePath: String? = currentExecutablePath(),
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> PluginSearchPath {
        var folders = pluginPaths
        if let variable = environment["SLIPWAY_PLUGIN_PATH"] {
            folders += variable.split(separator: ":").map(String.init)
        }
        if let projectRoot { folders.append(projectRoot + "/.slipway/plugins") }
        if let executablePath {
            let executableFolder = (executablePath as NSString).deletingLastPathComponent
            folders.append(executableFolder + "/../lib/slipway/plugins")
            folders.append(executableFolder)
        }
        return PluginSearchPath(directories: folders.map { path in
            path.hasPrefix("/") ? path : workingDirectory + "/" + path
        })
    }

    /// The running binary with symlinks resolved (`/proc/self/exe` on Linux), so a symlink in
    /// /usr/local/bin still finds the plugins next to the real file.
    public static func currentExecutablePath() -> String? {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        return Bundle.main.executablePath.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    /// Plugin candidates in one folder: regular files (or symlinks to them) named `*.so`,
    /// sorted so loading order, warnings and conflicts are reproducible.
    func candidates(in folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(".so") }.sorted().map { folder + "/" + $0 }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
