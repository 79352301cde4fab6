/// What a plugin says about itself (`manifest_json`), checked when it is loaded.
public struct PluginManifest: Sendable, Equatable {
    public enum Primitives: String, Sendable, Equatable {
        case fleet, traffic

        /// Methods every plugin of this kind must implement.
        public var requiredMethods: [String] {
            switch self {
            case .fleet: ["discover", "deployHost"]
            case .traffic: ["prepare", "setWeight", "promote", "cleanup", "abort"]
            }
        }

        public var optionalMethods: [String] {
            switch self {
            case .fleet: ["blockTraffic", "allowTraffic"]
            case .traffic: ["runHook", "allowTestTraffic"]
            }
        }
    }

    public struct TargetType: Sendable, Equatable {
        public var type: String
        public var primitives: Primitives
        /// Required methods plus the optional ones the plugin implements.
        public var methods: [String]
        /// JSON Schema of the stage's `with:`; `{}` (anything goes) when the plugin gave none.
        public var configSchema: ConfigValue

        public init(type: String, primitives: Primitives, methods: [String], configSchema: ConfigValue) {
            self.type = type
            self.primitives = primitives
            self.methods = methods
            self.configSchema = configSchema
        }

        public func implements(_ method: String) -> Bool { methods.contains(method) }
    }

    public var name: String
    public var version: SemanticVersion
    public var targetTypes: [TargetType]

    public init(name: String, version: SemanticVersion, targetTypes: [TargetType]) {
        self.name = name
        self.version = version
        self.targetTypes = targetTypes
    }

    public func targetType(_ type: String) -> TargetType? {
        targetTypes.first { $0.type == type }
    }

    /// Parses and checks the manifest; the error text is a field path and what is wrong with it
    /// (`targetTypes[0].primitives must be fleet or traffic`), for `PluginLoadError.invalidManifest`.
    public static func parse(_ value: ConfigValue) throws(ManifestProblem) -> PluginManifest {
        guard let fields = value.objectValue else { throw ManifestProblem("must be a JSON object") }
        guard let name = fields["name"]?.stringValue, !name.isEmpty else {
            throw ManifestProblem("name must be a non-empty string")
        }
        guard let versionText = fields["version"]?.stringValue else { throw ManifestProblem("version must be a string") }
        guard let version = SemanticVersion(versionText) else {
            throw ManifestProblem("version \"\(versionText)\" is not a semantic version (like 1.2.0)")
        }
        guard let types = fields["targetTypes"]?.arrayValue, !types.isEmpty else {
            throw ManifestProblem("targetTypes must be a non-empty array")
        }
        var targetTypes: [TargetType] = []
        for (index, entry) in types.enumerated() {
            let target = try parseTargetType(entry, at: "targetTypes[\(index)]")
            if targetTypes.contains(where: { $0.type == target.type }) {
                throw ManifestProblem("targetTypes[\(index)].type \"\(target.type)\" is listed twice")
            }
            targetTypes.append(target)
        }
        return PluginManifest(name: name, version: version, targetTypes: targetTypes)
    }

    private static func parseTargetType(_ value: ConfigValue, at path: String) throws(ManifestProblem) -> TargetType {
        guard let fields = value.objectValue else { throw ManifestProblem("\(path) must be an object") }
        guard let type = fields["type"]?.stringValue, !type.isEmpty else {
            throw ManifestProblem("\(path).type must be a non-empty string")
        }
        guard let primitives = fields["primitives"]?.stringValue.flatMap(Primitives.init(rawValue:)) else {
            throw ManifestProblem("\(path).primitives must be fleet or traffic")
        }
        var methods = primitives.requiredMethods
        if let listed = fields["methods"] {
            guard let names = listed.arrayValue?.compactMap(\.stringValue), names.count == listed.arrayValue?.count else {
                throw ManifestProblem("\(path).methods must be an array of method names")
            }
            let known = primitives.requiredMethods + primitives.optionalMethods
            if let unknown = names.first(where: { !known.contains($0) }) {
                throw ManifestProblem("\(path).methods: \"\(unknown)\" is not a \(primitives.rawValue) method (known: \(known.joined(separator: ", ")))")
            }
            if let missing = primitives.requiredMethods.first(where: { !names.contains($0) }) {
                throw ManifestProblem("\(path).methods must include \(missing) (required for \(primitives.rawValue) plugins)")
            }
            methods = known.filter(names.contains)
        }
        let schema = fields["configSchema"] ?? .object([:])
        guard case .object = schema else { throw ManifestProblem("\(path).configSchema must be a JSON Schema object") }
        return TargetType(type: type, primitives: primitives, methods: methods, configSchema: schema)
    }
}

/// Why a manifest was rejected: a field path and what is wrong with it.
public struct ManifestProblem: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
