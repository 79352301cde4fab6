import Foundation

/// The inputs the AWS configuration is read from. Injected everywhere so that tests never see the
/// developer's real variables or `~/.aws` files.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String

    public init(variables: [String: String], homeDirectory: String) {
        self.variables = variables
        self.homeDirectory = homeDirectory
    }

    /// The real process environment and home folder.
    public static func process() -> AWSEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return AWSEnvironment(variables: variables, homeDirectory: variables["HOME"] ?? NSHomeDirectory())
    }

    /// A variable, with empty values treated as unset (as the AWS CLI does).
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    public var profileName: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }

    public var credentialsFilePath: String {
        expandTilde(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
    }

    public var configFilePath: String {
        expandTilde(self["AWS_CONFIG_FILE"] ?? "~/.aws/config")
    }

    func expandTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        return homeDirectory + path.dropFirst()
    }

    func isTrue(_ name: String) -> Bool { self[name]?.lowercased() == "true" }
}
