import Foundation
import SlipwayYAML

/// Any JSON value inside the runner: a stage's `with:` settings, what plugins send and return,
/// journal entries. Numbers are Doubles, as in JSON itself (integers beyond 2^53 lose precision,
/// exactly as they would in any JSON consumer).
public enum ConfigValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ConfigValue])
    case object([String: ConfigValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ConfigValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ConfigValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> ConfigValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [ConfigValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A number that is a whole number, as an Int.
    public var intValue: Int? {
        guard case .number(let value) = self, value.rounded() == value, abs(value) < 9e15 else { return nil }
        return Int(value)
    }

    /// Converts YAML with the core schema: plain `true`/`false`, numbers and nulls are typed,
    /// quoted scalars stay strings. `transform` rewrites every string (interpolation).
    static func from(_ node: Node, transform: (String, Node) -> String) -> ConfigValue {
        switch node.content {
        case .scalar(let text, let style):
            if node.isNull { return .null }
            if style == .plain, node.tag == nil {
                if ["true", "True", "TRUE"].contains(text) { return .bool(true) }
                if ["false", "False", "FALSE"].contains(text) { return .bool(false) }
                if let number = Double(text), text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true {
                    return .number(number)
                }
            }
            return .string(transform(text, node))
        case .sequence(let items):
            return .array(items.map { from($0, transform: transform) })
        case .mapping(let pairs):
            var fields: [String: ConfigValue] = [:]
            for pair in pairs { fields[pair.key.scalar ?? ""] = from(pair.value, transform: transform) }
            return .object(fields)
        }
    }
}

extension ConfigValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
