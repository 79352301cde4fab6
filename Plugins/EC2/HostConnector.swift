import Foundation
import SlipwayHost
import SlipwayPluginKit

/// Turns a host entry into the transport that reaches it and the layout it has there.
/// New transports (ssh, ssm) are one more case here and one more name in `transports`.
enum HostConnector {
    static let transports = ["local"]

    static func connect(_ entry: HostEntry, config: EC2Config) throws(PluginError) -> (transport: any HostTransport, layout: HostLayout) {
        let kind = entry.transport ?? config.transport ?? "local"
        switch kind {
        case "local":
            guard let root = entry.root ?? config.root.map({ $0 + "/" + entry.id }) else {
                throw PluginError.invalidConfig("host \(entry.id): a local host needs a root folder (with.root or the host's root)")
            }
            let absolute = absolutePath(root)
            do {
                try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
            } catch {
                throw PluginError.failed("host \(entry.id): cannot create \(absolute): \(error.localizedDescription)")
            }
            return (LocalTransport(root: absolute), .local(root: absolute))
        default:
            throw PluginError.invalidConfig("host \(entry.id): unknown transport \"\(kind)\" (available: \(transports.joined(separator: ", ")))")
        }
    }

    /// Relative roots are relative to the directory slipway runs in (the project).
    static func absolutePath(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }
}
