import Foundation
import SlipwayPluginABI

/// Opens plugin libraries and reads their manifests. Handles are never closed: a Swift plugin
/// cannot be unloaded safely (its runtime metadata stays registered), and the process is short-lived.
public struct PluginLoader: Sendable {
    public init() {}

    /// Loads one library. Every failure names the file.
    public func load(path: String) throws(PluginLoadError) -> LoadedPlugin {
        // RTLD_LOCAL: every plugin exports the same symbol name, so symbols must stay per handle.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .cannotOpen(path: path, reason: Self.lastError())
        }
        guard let symbol = dlsym(handle, PluginABI.entrySymbol) else { throw .notAPlugin(path: path) }
        let entry = unsafeBitCast(symbol, to: slipway_plugin_entry_fn.self)
        guard let plugin = entry() else { throw .entryReturnedNull(path: path) }
        let abi = plugin.pointee.abi_version
        guard abi == PluginABI.version else {
            throw .abiMismatch(path: path, found: abi, expected: PluginABI.version)
        }
        guard plugin.pointee.call != nil else {
            throw .invalidManifest(path: path, detail: "the plugin struct has no call function")
        }
        guard let manifestText = plugin.pointee.manifest_json.map({ String(cString: $0) }) else {
            throw .manifestNotJSON(path: path, detail: "manifest_json is NULL")
        }
        let manifestValue: ConfigValue
        do {
            manifestValue = try ConfigValue.parseJSON(manifestText)
        } catch {
            throw .manifestNotJSON(path: path, detail: error.message)
        }
        let manifest: PluginManifest
        do {
            manifest = try PluginManifest.parse(manifestValue)
        } catch {
            throw .invalidManifest(path: path, detail: error.message)
        }
        return LoadedPlugin(manifest: manifest, path: path, entry: PluginEntryPointer(pointer: plugin))
    }

    /// Loads every `*.so` in the search path. A file that is not a usable plugin is reported in
    /// `skipped` instead of failing the scan: search folders (the build folder in particular)
    /// can hold other libraries, and a broken plugin only matters to a stage that needs it.
    public func scan(_ searchPath: PluginSearchPath) -> PluginScan {
        var scan = PluginScan(searched: searchPath.directories)
        var loadedFiles = Set<String>()
        for folder in searchPath.directories {
            for path in searchPath.candidates(in: folder) {
                // The same file reached twice (symlinks, a folder listed twice) is one plugin.
                let realPath = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                guard loadedFiles.insert(realPath).inserted else { continue }
                do {
                    scan.plugins.append(try load(path: path))
                } catch {
                    scan.skipped.append(error)
                }
            }
        }
        return scan
    }

    private static func lastError() -> String {
        guard let message = dlerror() else { return "unknown dlopen error" }
        return String(cString: message)
    }
}

/// The result of scanning the search path.
public struct PluginScan: Sendable {
    /// Folders scanned, in order.
    public var searched: [String]
    /// Usable plugins, in search order.
    public var plugins: [LoadedPlugin] = []
    /// Files that could not be loaded: show them as warnings.
    public var skipped: [PluginLoadError] = []

    public init(searched: [String], plugins: [LoadedPlugin] = [], skipped: [PluginLoadError] = []) {
        self.searched = searched
        self.plugins = plugins
        self.skipped = skipped
    }
}

/// The plugin's static struct. It is immutable for the life of the process (the plugin owns it
/// and is never unloaded), so sharing the pointer between threads is safe.
struct PluginEntryPointer: @unchecked Sendable {
    let pointer: UnsafePointer<slipway_plugin>
}
