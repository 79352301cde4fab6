/// Why a plugin could not be found, loaded or used. Every message names the file or plugin.
public enum PluginLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// dlopen failed (missing dependency, wrong architecture, not an ELF file).
    case cannotOpen(path: String, reason: String)
    case notAPlugin(path: String)
    case entryReturnedNull(path: String)
    case abiMismatch(path: String, found: UInt32, expected: UInt32)
    case manifestNotJSON(path: String, detail: String)
    case invalidManifest(path: String, detail: String)
    /// Two plugins in the same search folder serve one target type.
    case duplicateTargetType(type: String, firstPath: String, secondPath: String)
    /// No plugin serves the type; `problems` are files that were skipped and might have.
    case noPluginForTargetType(type: String, searched: [String], problems: [PluginLoadError])
    case pluginNotLoaded(name: String, searched: [String])
    case versionMismatch(name: String, version: SemanticVersion, required: String, path: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path) could not be loaded: \(reason)"
        case let .notAPlugin(path):
            return "\(path) is not a Slipway plugin: no \(PluginABI.entrySymbol) symbol"
        case let .entryReturnedNull(path):
            return "\(path): \(PluginABI.entrySymbol)() returned NULL"
        case let .abiMismatch(path, found, expected):
            return "\(path) was built for plugin ABI \(found), this Slipway speaks \(expected)"
        case let .manifestNotJSON(path, detail):
            return "\(path) manifest is not valid JSON: \(detail)"
        case let .invalidManifest(path, detail):
            return "\(path) manifest: \(detail)"
        case let .duplicateTargetType(type, firstPath, secondPath):
            return "target type \"\(type)\" is served by two plugins: \(firstPath) and \(secondPath); remove one"
        case let .noPluginForTargetType(type, searched, problems):
            var text = "no plugin serves target type \"\(type)\" (searched: \(Self.list(searched)))"
            if !problems.isEmpty {
                text += "; these files could not be loaded: " + problems.map(\.description).joined(separator: "; ")
            }
            return text
        case let .pluginNotLoaded(name, searched):
            return "the pipeline pins plugin \"\(name)\" but no such plugin was found (searched: \(Self.list(searched)))"
        case let .versionMismatch(name, version, required, path):
            return "plugin \(name) \(version) (\(path)) does not satisfy the pinned range \"\(required)\""
        }
    }

    private static func list(_ folders: [String]) -> String {
        folders.isEmpty ? "no folders" : folders.joined(separator: ", ")
    }
}

/// Constants from slipway_plugin.h, as Swift values (macros with `u` suffixes do not import cleanly).
public enum PluginABI {
    public static let version: UInt32 = 1
    public static let entrySymbol = "slipway_plugin_v1"
}
