import Foundation

/// A throwaway home folder with optional `~/.aws/credentials` and `~/.aws/config`.
struct TemporaryHome {
    let path: String

    init(credentials: String? = nil, config: String? = nil) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        if let credentials { try Data(credentials.utf8).write(to: URL(fileURLWithPath: path + "/.aws/credentials")) }
        if let config { try Data(config.utf8).write(to: URL(fileURLWithPath: path + "/.aws/config")) }
    }

    func write(_ relativePath: String, _ text: String) throws -> String {
        let full = path + "/" + relativePath
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
