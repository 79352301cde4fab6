/// Which plugin serves each target type, built from a scan of the search path.
public struct PluginRegistry: Sendable {
    /// Plugins in search order; a plugin whose every type is shadowed is still listed.
    public let plugins: [LoadedPlugin]
    /// Files that could not be loaded (warnings for `slipway plugins` and error details).
    public let skipped: [PluginLoadError]
    /// Folders searched, in order.
    public let searched: [String]
    /// Target types also served by a plugin in a later folder, which is ignored.
    public let shadowed: [ShadowedTargetType]
    private let byTargetType: [String: LoadedPlugin]

    /// Maps target types to plugins. An earlier search folder wins over a later one (so
    /// `--plugin-path` can override an installed plugin), but two plugins in the SAME folder
    /// serving one type is ambiguous and an error naming both files.
    public init(scan: PluginScan) throws(PluginLoadError) {
        var byTargetType: [String: LoadedPlugin] = [:]
        var shadowed: [ShadowedTargetType] = []
        for plugin in scan.plugins {
            for target in plugin.manifest.targetTypes {
                guard let existing = byTargetType[target.type] else {
                    byTargetType[target.type] = plugin
                    continue
                }
                if Self.folder(of: existing.path) == Self.folder(of: plugin.path) {
                    throw .duplicateTargetType(type: target.type, firstPath: existing.path, secondPath: plugin.path)
                }
                shadowed.append(ShadowedTargetType(type: target.type, used: existing.path, ignored: plugin.path))
            }
        }
        self.plugins = scan.plugins
        self.skipped = scan.skipped
        self.searched = scan.searched
        self.shadowed = shadowed
        self.byTargetType = byTargetType
    }

    /// Scans `searchPath` with `loader` and builds the registry.
    public static func load(_ searchPath: PluginSearchPath, loader: PluginLoader = PluginLoader()) throws(PluginLoadError) -> PluginRegistry {
        try PluginRegistry(scan: loader.scan(searchPath))
    }

    /// Every served target type, sorted.
    public var targetTypes: [String] { byTargetType.keys.sorted() }

    /// The plugin for a stage's target type. When none serves it, the error lists the folders
    /// searched and the files that failed to load (one of them may be the plugin meant).
    public func plugin(for targetType: String) throws(PluginLoadError) -> LoadedPlugin {
        guard let plugin = byTargetType[targetType] else {
            throw .noPluginForTargetType(type: targetType, searched: searched, problems: skipped)
        }
        return plugin
    }

    /// Checks the pipeline's `plugins:` pins (plugin name → version range) before anything runs.
    /// Every pinned plugin must be loaded and its version inside the range.
    public func verify(pins: [String: VersionRange]) throws(PluginLoadError) {
        for (name, range) in pins.sorted(by: { $0.key < $1.key }) {
            guard let plugin = plugins.first(where: { $0.manifest.name == name }) else {
                throw .pluginNotLoaded(name: name, searched: searched)
            }
            guard range.contains(plugin.manifest.version) else {
                throw .versionMismatch(name: name, version: plugin.manifest.version, required: range.description, path: plugin.path)
            }
        }
    }

    private static func folder(of path: String) -> Substring {
        path.lastIndex(of: "/").map { path[..<$0] } ?? ""
    }
}

/// A target type served by plugins in two search folders: the earlier folder's plugin is used.
public struct ShadowedTargetType: Sendable, Equatable {
    public var type: String
    public var used: String
    public var ignored: String

    public init(type: String, used: String, ignored: String) {
        self.type = type
        self.used = used
        self.ignored = ignored
    }
}
