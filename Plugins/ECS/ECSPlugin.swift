import SlipwayPluginKit

/// The ECS plugin library: target type `ecs`, CodeDeploy's blue/green deployment of an ECS
/// service (deployment controller EXTERNAL) behind an Application Load Balancer.
enum ECSPlugin: SlipwayPlugin {
    static let name = "ecs"
    static let version = "0.1.0"
    static var targets: [PluginTarget] { [.traffic(ECSBlueGreen.self)] }
}

// The one exported C symbol.
@_cdecl("slipway_plugin_v1")
public func slipwayPluginV1() -> UnsafeRawPointer { SlipwayPluginExport.entry(ECSPlugin.self) }
