import Foundation
import Synchronization
import SlipwayHost
import SlipwayPluginKit

/// Turns a host entry into the transport that reaches it and the layout it has there.
/// New transports (ssh, ssm) are one more case here and one more name in `transports`.
enum HostConnector {
    static let transports = ["local", "ssh", "ssm"]

    /// One OpenSSH client (one master connection per alias) for the whole plugin process, per
    /// ssh config file.
    private static let sshClients = Mutex<[String: SSHClient]>([:])

    static func sshClient(configFile: String?) throws(PluginError) -> SSHClient {
        let key = configFile ?? ""
        let existing = sshClients.withLock { $0[key] }
        if let existing { return existing }
        do {
            let client = try SSHClient(options: SSHOptions(configFile: configFile.map(absolutePath)))
            return sshClients.withLock { clients in
                if let raced = clients[key] { return raced }
                clients[key] = client
                return client
            }
        } catch {
            throw PluginError.failed("cannot set up ssh: \(error)")
        }
    }

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
        case "ssh":
            // The host is an alias (or host name) the user's ssh config resolves; a `root`
            // makes a folder on that machine the host's root, so several hosts can share one
            // machine (as tests do).
            let transport = SSHTransport(alias: entry.alias ?? entry.id, client: try sshClient(configFile: config.sshConfig))
            return (transport, entry.root.map { HostLayout.local(root: $0) } ?? HostLayout())
        case "ssm":
            // The agent runs commands as root on the instance itself; a `root` folder there
            // stands for `/` as for the other transports.
            return (try SSMConnector.transport(entry, config: config), entry.root.map { HostLayout.local(root: $0) } ?? HostLayout())
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
