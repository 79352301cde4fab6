import Foundation

/// JSON text for `JSONValue` without Codable. Every plugin call, result and event crosses the
/// plugin boundary as JSON text, several times per host of a deployment; decoding a `JSONValue`
/// through `JSONDecoder` tries Bool, Double, String and Array before Object at every node and
/// throws for each miss, which made JSON a visible part of the runner's CPU per host.
///
/// The writer produces exactly what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` produces (tests compare them); the rare values whose text it does
/// not write itself (strings that need escapes, non-ASCII keys, very large or non-finite
/// numbers) are handed to `JSONEncoder`.
enum JSONFastText {
    // MARK: Writing

    static func write(_ value: JSONValue, into text: inout String) throws {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let number): try writeNumber(number, into: &text)
        case .string(let string): try writeString(string, into: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                try write(element, into: &text)
            }
            text += "]"
        case .object(let members):
            // JSONEncoder's .sortedKeys orders ASCII keys bytewise; other keys go to it.
            guard members.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else {
                text += try encoderText(value)
                return
            }
            text += "{"
            for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { text += "," }
                try writeString(key, into: &text)
                text += ":"
                try write(members[key]!, into: &text)
            }
            text += "}"
        }
    }

    private static func writeNumber(_ number: Double, into text: inout String) throws {
        if number == number.rounded(), abs(number) < 1e15 {
            text += number == 0 && number.sign == .minus ? "-0" : String(Int64(number))
        } else if number.isFinite, number != number.rounded() {
            text += number.description
        } else {
            text += try encoderText(.number(number))
        }
    }

    private static func writeString(_ string: String, into text: inout String) throws {
        let plain = string.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain {
            text += "\""
            text += string
            text += "\""
        } else {
            text += try encoderText(.string(string))
        }
    }

    private static func encoderText(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Wrapped in an array: the encoder's output for a fragment, without relying on its
        // support for top-level fragments.
        let wrapped = String(decoding: try encoder.encode([value]), as: UTF8.self)
        return String(wrapped.dropFirst().dropLast())
    }

    // MARK: Reading

    /// Parses JSON text (RFC 8259); `.none` when it is not valid JSON. (`JSONValue` is
    /// ExpressibleByNilLiteral: where the result is a `JSONValue?`, a bare `nil` would read as
    /// `.some(.null)`, so this file spells failures `.none`.)
    static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { bytes -> JSONValue? in
            var reader = Reader(bytes: bytes)
            guard let value = reader.value(depth: 0) else { return .none }
            reader.skipWhitespace()
            return reader.position == bytes.count ? value : .none
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        static let maxDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func value(depth: Int) -> JSONValue? {
            guard depth < Self.maxDepth else { return .none }
            skipWhitespace()
            guard let byte = current else { return .none }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { return .none }
            for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return .none }
            position += count
            return value
        }

        mutating func object(depth: Int) -> JSONValue? {
            position += 1
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\""), let key = string() else { return .none }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return .none }
                position += 1
                guard let member = value(depth: depth + 1) else { return .none }
                members[key] = member
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"): position += 1; return .object(members)
                default: return .none
                }
            }
        }

        mutating func array(depth: Int) -> JSONValue? {
            position += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                guard let element = value(depth: depth + 1) else { return .none }
                elements.append(element)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"): position += 1; return .array(elements)
                default: return .none
                }
            }
        }

        /// A string starting at the opening quote.
        mutating func string() -> String? {
            position += 1
            let start = position
            // Fast path: no escapes.
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { return nil }
                position += 1
            }
            guard let stop = current else { return nil }
            if stop == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
            }
            var decoded = Array(bytes[start..<position])
            while let byte = current {
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: decoded, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return nil }
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        decoded.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                default:
                    guard byte >= 0x20 else { return nil }
                    decoded.append(byte)
                }
            }
            return nil
        }

        /// After `\u`: four hex digits, or a surrogate pair as two escapes.
        mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(high) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else { return nil }
                position += 2
                guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// RFC 8259's grammar checked here; the conversion is Double's own (correctly rounded).
        mutating func number() -> JSONValue? {
            let start = position
            func digits() -> Int {
                let from = position
                while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
                return position - from
            }
            if current == UInt8(ascii: "-") { position += 1 }
            if current == UInt8(ascii: "0") {
                position += 1
            } else if digits() == 0 {
                return .none
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { return .none }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { return .none }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            return Double(text).map(JSONValue.number)
        }
    }
}
