import Foundation

/// JSON text ⇄ `ConfigValue`: everything that crosses the plugin boundary is JSON text.
extension ConfigValue {
    /// Parses UTF-8 JSON text.
    public static func parseJSON(_ text: String) throws(JSONTextError) -> ConfigValue {
        let data = Data(text.utf8)
        do {
            return try JSONDecoder().decode(ConfigValue.self, from: data)
        } catch {
            throw JSONTextError(message: syntaxProblem(in: data))
        }
    }

    /// JSONDecoder only says "not valid JSON"; JSONSerialization says where.
    private static func syntaxProblem(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "not valid JSON"
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "not valid JSON"
        }
    }

    /// Compact JSON with sorted keys, so the same value always gives the same text (journals, tests).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a ConfigValue cannot fail: every case maps to a JSON value, and non-finite
        // numbers cannot be produced by the decoder or the YAML loader.
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    public var objectValue: [String: ConfigValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The JSON Schema type name of this value ("integer" is reported as "number").
    var jsonTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Why JSON text could not be parsed, e.g. "Invalid value around character 30."
public struct JSONTextError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
