import Foundation
import SlipwayAppSpec
import SlipwayAWS
import SlipwayPluginKit

/// What a stage deploys to: the function and alias, from `with:` or from an appspec, and a
/// Lambda client for them.
struct LambdaTarget: Sendable {
    var function: String
    var alias: String
    /// Set when the stage deploys an appspec's versions instead of the revision's code.
    var appSpec: LambdaAppSpec?
    var lambda: LambdaClient

    static func resolve(_ config: LambdaConfig) throws(PluginError) -> LambdaTarget {
        let lambda = LambdaClient(client: try awsClient(config))
        guard let path = config.appspec else {
            guard let function = config.function, let alias = config.alias else {
                throw PluginError.invalidConfig("a lambda stage needs with.function and with.alias (or with.appspec, a CodeDeploy Lambda appspec)")
            }
            return LambdaTarget(function: function, alias: alias, appSpec: nil, lambda: lambda)
        }
        let loaded = LambdaAppSpecLoader.load(path: path)
        guard let spec = loaded.appSpec else {
            throw PluginError.invalidConfig("with.appspec \(path) is not a valid Lambda appspec:\n"
                                            + loaded.errors.map(\.description).joined(separator: "\n"))
        }
        if let function = config.function, function != spec.function {
            throw PluginError.invalidConfig("with.function is \(function) but the appspec \(path) deploys \(spec.function): give one of them")
        }
        if let alias = config.alias, alias != spec.alias {
            throw PluginError.invalidConfig("with.alias is \(alias) but the appspec \(path) shifts alias \(spec.alias): give one of them")
        }
        return LambdaTarget(function: spec.function, alias: spec.alias, appSpec: spec, lambda: lambda)
    }

    static func awsClient(_ config: LambdaConfig) throws(PluginError) -> AWSClient {
        do {
            return try AWSClient.standard(region: config.region, endpoint: config.endpoint)
        } catch {
            throw PluginError.invalidConfig("AWS configuration for Lambda: \(error)")
        }
    }

    var region: String { lambda.client.configuration.region }
}

/// What the plugin journals between calls: enough for setWeight, promote and abort to act
/// without looking anything up again, in this process or a resumed one.
struct LambdaDeploymentState: Codable, Sendable, Equatable {
    var function: String
    var alias: String
    /// The version the alias served before: where abort sends all traffic back.
    var original: String
    /// The version receiving traffic.
    var candidate: String
}
