import Foundation

/// JSON text ⇄ `JSONValue`, and Codable types ⇄ `JSONValue`: everything that crosses the plugin
/// boundary is JSON text.
extension JSONValue {
    /// Parses UTF-8 JSON text.
    public static func parseJSON(_ text: String) throws(JSONTextError) -> JSONValue {
        let data = Data(text.utf8)
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
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
        // Encoding a JSONValue cannot fail: every case maps to a JSON value, and non-finite
        // numbers cannot be produced by the decoder or the YAML loader.
        (try? Self.compactText(of: self)) ?? "null"
    }

    /// Converts any Encodable to a JSON value (how typed results and state become JSON).
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(Self.compactText(of: value).utf8))
    }

    /// Decodes this value as `type` (how the config becomes the author's Codable type).
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(jsonText.utf8))
    }

    private static func compactText(of value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Why JSON text could not be parsed, e.g. "Invalid value around character 30."
public struct JSONTextError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
