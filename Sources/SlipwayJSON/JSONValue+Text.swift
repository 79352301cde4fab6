import Foundation

/// JSON text ⇄ `JSONValue`, and Codable types ⇄ `JSONValue`: everything that crosses the plugin
/// boundary is JSON text.
extension JSONValue {
    /// Parses UTF-8 JSON text.
    public static func parseJSON(_ text: String) throws(JSONTextError) -> JSONValue {
        if let value = JSONFastText.parse(text) { return value }
        throw JSONTextError(message: syntaxProblem(in: Data(text.utf8)))
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
        // Writing a JSONValue cannot fail: every case maps to a JSON value, and non-finite
        // numbers cannot be produced by the parser or the YAML loader.
        var text = ""
        do { try JSONFastText.write(self, into: &text) } catch { return "null" }
        return text
    }

    /// Converts any Encodable to a JSON value (how typed results and state become JSON).
    public init(encoding value: some Encodable) throws {
        self = try Self.parseJSON(Self.compactText(of: value))
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
