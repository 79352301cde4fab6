/// The params object of one call, with typed access and readable decoding errors.
struct CallParams: Sendable {
    let fields: [String: JSONValue]

    init(json: String) throws(PluginError) {
        guard let value = try? JSONValue.parseJSON(json), case .object(let fields) = value else {
            throw PluginError.failed("the runner sent params that are not a JSON object")
        }
        self.fields = fields
    }

    var targetType: String? { fields["targetType"]?.stringValue }

    func call<Config>(context: PluginContext) throws(PluginError) -> PluginCall<Config> {
        let rawConfig = fields["config"] ?? .object([:])
        let config: Config
        do {
            config = try rawConfig.decode(as: Config.self)
        } catch {
            throw PluginError.invalidConfig("with: \(Self.describe(error))")
        }
        let state = fields["state"].flatMap { $0 == .null ? nil : $0 }
        return PluginCall(
            deploymentId: fields["deploymentId"]?.stringValue ?? "",
            stage: fields["stage"]?.stringValue ?? "",
            targetType: targetType ?? "",
            config: config, rawConfig: rawConfig,
            plan: fields["plan"] == .bool(true),
            state: state, context: context)
    }

    func field<T: Decodable>(_ name: String) throws(PluginError) -> T {
        guard let value = fields[name], value != .null else {
            throw PluginError.failed("the runner's params have no \"\(name)\"")
        }
        do {
            return try value.decode(as: T.self)
        } catch {
            throw PluginError.failed("the runner's params field \"\(name)\" is malformed: \(Self.describe(error))")
        }
    }

    func optionalField<T: Decodable>(_ name: String) throws(PluginError) -> T? {
        guard let value = fields[name], value != .null else { return nil }
        return try field(name) as T
    }

    /// `DecodingError` descriptions are long and generic; say which key and what was wrong.
    static func describe(_ error: any Error) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing key \"\(key.stringValue)\"" + (context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")
        case .typeMismatch(let type, let context)?:
            return "\(path(context.codingPath)) should be \(type)"
        case .valueNotFound(let type, let context)?:
            return "\(path(context.codingPath)) should be \(type), not null"
        case .dataCorrupted(let context)?:
            return "\(path(context.codingPath)) \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
