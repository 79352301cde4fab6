import Foundation

/// The `credentials` and `config` INI files. Sections are `[name]` in credentials but
/// `[profile name]` in config (except `[default]`); keys within a profile merge, with the
/// credentials file winning, as in the AWS CLI.
public struct SharedConfigFiles: Sendable {
    public var credentialsProfiles: [String: [String: String]]
    public var configProfiles: [String: [String: String]]

    public init(environment: AWSEnvironment) {
        credentialsProfiles = Self.load(environment.credentialsFilePath, isConfigFile: false)
        configProfiles = Self.load(environment.configFilePath, isConfigFile: true)
    }

    public init(credentialsText: String, configText: String) {
        credentialsProfiles = Self.parse(credentialsText, isConfigFile: false)
        configProfiles = Self.parse(configText, isConfigFile: true)
    }

    /// Every key of the profile, credentials file over config file.
    public func profile(_ name: String) -> [String: String]? {
        let fromConfig = configProfiles[name]
        let fromCredentials = credentialsProfiles[name]
        if fromConfig == nil && fromCredentials == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
    }

    static func load(_ path: String, isConfigFile: Bool) -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return parse(String(decoding: data, as: UTF8.self), isConfigFile: isConfigFile)
    }

    static func parse(_ text: String, isConfigFile: Bool) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
                current = sectionProfileName(String(line[line.index(after: line.startIndex)..<close]), isConfigFile: isConfigFile)
                lastKey = nil
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            guard let profile = current else { continue }
            // An indented line continues a nested block (e.g. `s3 =` sub-settings); nested keys
            // are kept as `parent.key` so callers can still find them.
            if rawLine.first == " " || rawLine.first == "\t", let parent = lastKey,
               let equals = line.firstIndex(of: "=") {
                let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                profiles[profile]?["\(parent).\(key)"] = stripComment(line[line.index(after: equals)...])
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            profiles[profile]?[key] = stripComment(line[line.index(after: equals)...])
            lastKey = key
        }
        return profiles
    }

    /// `[profile x]` names profile x in config; a bare `[x]` there is only valid for `default`.
    /// Returns nil for sections that are not profiles (`[sso-session x]`, `[services x]`).
    static func sectionProfileName(_ section: String, isConfigFile: Bool) -> String? {
        let name = section.trimmingCharacters(in: .whitespaces)
        guard isConfigFile else { return name }
        if name == "default" { return name }
        if name.hasPrefix("profile ") || name.hasPrefix("profile\t") {
            return name.dropFirst("profile".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Inline comments need whitespace before `#`/`;`, so secrets containing them survive.
    static func stripComment(_ value: Substring) -> String {
        var text = String(value)
        for marker in [" #", "\t#", " ;", "\t;"] {
            if let range = text.range(of: marker) { text = String(text[..<range.lowerBound]) }
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
