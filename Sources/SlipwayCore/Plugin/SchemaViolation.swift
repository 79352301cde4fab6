/// One way a value breaks a JSON Schema: where (so the caller can point at the YAML line) and what.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public enum PathComponent: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    /// From the validated value's root: `[.key("hosts"), .index(2)]`.
    public var components: [PathComponent]
    public var message: String
    /// The name of the root in `path` (`with` for a stage's settings).
    public var root: String

    public init(root: String, components: [PathComponent], message: String) {
        self.root = root
        self.components = components
        self.message = message
    }

    /// `with.hosts[2]`, `with["odd key"]`.
    public var path: String {
        var text = root
        for component in components {
            switch component {
            case .index(let index): text += "[\(index)]"
            case .key(let key) where Self.isPlainKey(key): text += text.isEmpty ? key : ".\(key)"
            case .key(let key): text += "[\"\(key.replacingQuotes())\"]"
            }
        }
        return text
    }

    public var description: String { "\(path): \(message)" }

    private static func isPlainKey(_ key: String) -> Bool {
        guard let first = key.first, first.isLetter || first == "_" else { return false }
        return key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}

private extension String {
    func replacingQuotes() -> String {
        var text = ""
        for character in self {
            if character == "\"" || character == "\\" { text.append("\\") }
            text.append(character)
        }
        return text
    }
}
