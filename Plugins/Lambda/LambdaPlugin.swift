import SlipwayPluginKit

/// The Lambda plugin library: target type `lambda`, an alias's traffic shifted from the
/// version it serves to a version published from the revision (docs/plugins/lambda.md).
enum LambdaPlugin: SlipwayPlugin {
    static let name = "lambda"
    static let version = "0.1.0"
    static var targets: [PluginTarget] { [.traffic(LambdaTraffic.self)] }
}

// The one exported C symbol.
@_cdecl("slipway_plugin_v1")
public func slipwayPluginV1() -> UnsafeRawPointer { SlipwayPluginExport.entry(LambdaPlugin.self) }
