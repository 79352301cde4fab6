import SlipwayPluginKit

/// The EC2 plugin library: target types `ec2` (static or discovered hosts) and `asg`
/// (an Auto Scaling group's instances), both in place, and `asg-bluegreen` (a green copy of
/// the group, traffic shifted to it).
enum EC2Plugin: SlipwayPlugin {
    static let name = "ec2"
    static let version = "0.1.0"
    static var targets: [PluginTarget] { [.fleet(EC2Fleet.self), .fleet(ASGFleet.self), .traffic(ASGBlueGreen.self)] }
}

// The one exported C symbol.
@_cdecl("slipway_plugin_v1")
public func slipwayPluginV1() -> UnsafeRawPointer { SlipwayPluginExport.entry(EC2Plugin.self) }
