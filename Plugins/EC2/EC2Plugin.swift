import SlipwayPluginKit

/// The EC2 plugin library: target type `ec2` (hosts from a static list, in place).
enum EC2Plugin: SlipwayPlugin {
    static let name = "ec2"
    static let version = "0.1.0"
    static var targets: [PluginTarget] { [.fleet(EC2Fleet.self)] }
}

// The one exported C symbol.
@_cdecl("slipway_plugin_v1")
public func slipwayPluginV1() -> UnsafeRawPointer { SlipwayPluginExport.entry(EC2Plugin.self) }
