import SlipwayPluginKit

/// The plugin the runner's tests load: two target types backed by plain files, so a test can
/// observe every primitive call. Not shipped.
enum SlipwayTestPlugin: SlipwayPlugin {
    static let name = "slipway-test"
    static let version = "1.4.2"
    static var targets: [PluginTarget] { [.fleet(TestFleet.self), .traffic(TestTraffic.self)] }
}

@_cdecl("slipway_plugin_v1")
public func slipwayPluginV1() -> UnsafeRawPointer { SlipwayPluginExport.entry(SlipwayTestPlugin.self) }
