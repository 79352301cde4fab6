import Foundation

/// A minimal XML reader for AWS responses (rest-xml and query protocols). AWS documents are
/// small, elements-and-text only; a hand parser avoids FoundationXML's libxml2 dependency in
/// every binary and plugin that links SlipwayAWS.
public enum AWSXML {
    public struct Element: Sendable, Equatable {
        /// Local name, namespace prefix removed.
        public var name: String
        public var attributes: [String: String]
        public var children: [Element]
        /// Concatenated character data directly inside this element, entities decoded.
        public var text: String

        /// The first child with this name.
        public func child(_ name: String) -> Element? { children.first { $0.name == name } }
        public func children(_ name: String) -> [Element] { children.filter { $0.name == name } }
        /// Text of the first child with this name.
        public subscript(_ name: String) -> String? { child(name)?.text }

        /// The first element with this name anywhere below (depth first), or self.
        public func first(_ name: String) -> Element? {
            if self.name == name { return self }
            for child in children { if let found = child.first(name) { return found } }
            return nil
        }
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "XML parse error at byte \(offset): \(message)" }
    }

    /// Parses a document and returns its root element.
    public static func parse(_ data: Data) throws -> Element {
        var parser = Parser(bytes: Array(data))
        return try parser.parseDocument()
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func parseDocument() throws -> Element {
            var root: Element?
            while index < bytes.count {
                skipWhitespace()
                guard index < bytes.count else { break }
                guard bytes[index] == UInt8(ascii: "<") else { throw error("text outside the root element") }
                if starts(with: "<?") { try skip(past: "?>") }
                else if starts(with: "<!--") { try skip(past: "-->") }
                else if starts(with: "<!") { try skip(past: ">") }
                else if root == nil { root = try parseElement() }
                else { throw error("more than one root element") }
            }
            guard let root else { throw error("no root element") }
            return root
        }

        mutating func parseElement() throws -> Element {
            index += 1 // <
            let qualified = readName()
            guard !qualified.isEmpty else { throw error("missing element name") }
            var element = Element(name: localName(qualified), attributes: [:], children: [], text: "")
            while true {
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated tag <\(qualified)>") }
                if starts(with: "/>") { index += 2; return element }
                if bytes[index] == UInt8(ascii: ">") { index += 1; break }
                let attribute = readName()
                skipWhitespace()
                guard !attribute.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw error("bad attribute in <\(qualified)>") }
                index += 1
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { throw error("unquoted attribute") }
                let quote = bytes[index]
                index += 1
                let start = index
                while index < bytes.count, bytes[index] != quote { index += 1 }
                guard index < bytes.count else { throw error("unterminated attribute") }
                element.attributes[attribute] = decodeEntities(bytes[start..<index])
                index += 1
            }
            var text = [UInt8]()
            while true {
                guard index < bytes.count else { throw error("unterminated element <\(qualified)>") }
                if starts(with: "</") {
                    index += 2
                    let closing = readName()
                    guard closing == qualified else { throw error("</\(closing)> closes <\(qualified)>") }
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw error("bad closing tag") }
                    index += 1
                    element.text = decodeEntities(text[...])
                    return element
                } else if starts(with: "<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>")
                    // CDATA is literal: escape its ampersands so entity decoding leaves them alone.
                    for byte in bytes[start..<(index - 3)] {
                        if byte == UInt8(ascii: "&") { text.append(contentsOf: Array("&amp;".utf8)) } else { text.append(byte) }
                    }
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<?") {
                    try skip(past: "?>")
                } else if bytes[index] == UInt8(ascii: "<") {
                    element.children.append(try parseElement())
                } else {
                    text.append(bytes[index])
                    index += 1
                }
            }
        }

        mutating func readName() -> String {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                    || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") { break }
                index += 1
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        func localName(_ qualified: String) -> String {
            guard let colon = qualified.lastIndex(of: ":") else { return qualified }
            return String(qualified[qualified.index(after: colon)...])
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(bytes[index]) {
                index += 1
            }
        }

        func starts(with literal: String) -> Bool {
            let pattern = Array(literal.utf8)
            guard index + pattern.count <= bytes.count else { return false }
            return bytes[index..<(index + pattern.count)].elementsEqual(pattern)
        }

        mutating func skip(past literal: String) throws {
            while index < bytes.count {
                if starts(with: literal) { index += literal.utf8.count; return }
                index += 1
            }
            throw error("missing \(literal)")
        }

        func error(_ message: String) -> ParseError { ParseError(message: message, offset: index) }
    }

    static func decodeEntities(_ raw: ArraySlice<UInt8>) -> String {
        let text = String(decoding: raw, as: UTF8.self)
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                    result.unicodeScalars.append(scalar)
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += rest[amp...semicolon]
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
