/// Reads a node tree into typed values, collecting every problem (with file, position and field
/// path) instead of stopping at the first, so one `validate` run shows all of them.
/// Used synchronously on one thread while a file is decoded.
public final class DecodeContext {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: String) {
        self.file = file
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public func error(_ message: String, at node: Node?, path: FieldPath) {
        diagnostics.append(Diagnostic(.error, file: file, mark: node?.mark, path: path, message: message))
    }

    public func error(_ message: String, at mark: Mark?, path: FieldPath) {
        diagnostics.append(Diagnostic(.error, file: file, mark: mark, path: path, message: message))
    }

    public func warning(_ message: String, at mark: Mark?, path: FieldPath) {
        diagnostics.append(Diagnostic(.warning, file: file, mark: mark, path: path, message: message))
    }

    public func add(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    // MARK: Scalars

    /// A string scalar. Numbers and booleans written plainly are accepted as their text, as a
    /// user writing `version: 1.2` means the string "1.2".
    public func string(_ node: Node, _ path: FieldPath) -> String? {
        guard let value = node.scalar, !node.isNull else {
            error("expected a string, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        return value
    }

    public func int(_ node: Node, _ path: FieldPath, range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = node.scalar, node.scalarStyle == .plain, let value = Int(text) else {
            error("expected an integer, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        if let range, !range.contains(value) {
            error("\(value) is out of range (\(range.lowerBound)–\(range.upperBound))", at: node, path: path)
            return nil
        }
        return value
    }

    public func bool(_ node: Node, _ path: FieldPath) -> Bool? {
        switch (node.scalar, node.scalarStyle) {
        case ("true", .plain?), ("True", .plain?), ("TRUE", .plain?): return true
        case ("false", .plain?), ("False", .plain?), ("FALSE", .plain?): return false
        case (let text?, .plain?) where ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()):
            // YAML 1.1 read these as booleans and 1.2 does not: refuse the ambiguity.
            error("expected true or false, found \"\(text)\" (write true or false)", at: node, path: path)
            return nil
        default:
            error("expected true or false, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    public func stringList(_ node: Node, _ path: FieldPath) -> [String]? {
        if node.scalar != nil, !node.isNull { return string(node, path).map { [$0] } }
        guard let items = node.sequence else {
            error("expected a list of strings, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let value = string(item, path.appending(index)) { result.append(value) }
        }
        return result
    }

    /// A mapping of string keys to string values, in source order.
    public func stringMap(_ node: Node, _ path: FieldPath) -> [(key: String, value: String, node: Node)]? {
        guard let pairs = node.mapping else {
            error("expected a mapping, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        var result: [(key: String, value: String, node: Node)] = []
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error("keys must be strings", at: pair.key, path: path)
                continue
            }
            if let value = string(pair.value, path.appending(key)) { result.append((key, value, pair.value)) }
        }
        return result
    }

    public func mapping(_ node: Node, _ path: FieldPath, allowed keys: [String]) -> MappingReader? {
        guard node.mapping != nil else {
            error("expected a mapping, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        return MappingReader(node: node, path: path, context: self, allowed: keys)
    }

    public func sequence(_ node: Node, _ path: FieldPath) -> [(node: Node, path: FieldPath)]? {
        guard let items = node.sequence else {
            error("expected a list, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        return items.enumerated().map { ($0.element, path.appending($0.offset)) }
    }
}

/// One mapping being decoded: hands out its keys and, when created, reports unknown keys
/// (with a "did you mean" when one is close), so no typo passes silently.
public struct MappingReader {
    public let node: Node
    public let path: FieldPath
    public let context: DecodeContext
    private let values: [String: Node]

    init(node: Node, path: FieldPath, context: DecodeContext, allowed: [String]) {
        self.node = node
        self.path = path
        self.context = context
        var values: [String: Node] = [:]
        for pair in node.mapping ?? [] {
            guard let key = pair.key.scalar else {
                context.error("keys must be strings, found \(pair.key.kindDescription)", at: pair.key, path: path)
                continue
            }
            values[key] = pair.value
            if !allowed.contains(key) {
                context.error("unknown key \"\(key)\"\(Suggestion.hint(for: key, among: allowed))", at: pair.key, path: path)
            }
        }
        self.values = values
    }

    public func has(_ key: String) -> Bool { values[key] != nil }

    /// The value node of `key`; nil (and an error when `required`) when it is absent.
    public func node(_ key: String, required: Bool = false) -> Node? {
        if let value = values[key] { return value }
        if required { context.error("missing required key \"\(key)\"", at: node, path: path) }
        return nil
    }

    public func keyMark(_ key: String) -> Mark? {
        node.mapping?.first { $0.key.scalar == key }?.key.mark
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        self.node(key, required: required).flatMap { context.string($0, path.appending(key)) }
    }

    public func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        self.node(key, required: required).flatMap { context.int($0, path.appending(key), range: range) }
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        self.node(key, required: required).flatMap { context.bool($0, path.appending(key)) }
    }

    public func stringList(_ key: String, required: Bool = false) -> [String]? {
        self.node(key, required: required).flatMap { context.stringList($0, path.appending(key)) }
    }

    public func mapping(_ key: String, required: Bool = false, allowed: [String]) -> MappingReader? {
        self.node(key, required: required).flatMap { context.mapping($0, path.appending(key), allowed: allowed) }
    }

    public func sequence(_ key: String, required: Bool = false) -> [(node: Node, path: FieldPath)]? {
        self.node(key, required: required).flatMap { context.sequence($0, path.appending(key)) }
    }
}

extension DecodeContext {
    /// Parses `bytes` as YAML, reporting a syntax error or duplicate keys as diagnostics.
    /// Returns the root node, or nil when nothing more can be read.
    public func parse(bytes: [UInt8], duplicateKeys severity: Diagnostic.Severity = .error,
                      limits: ParseLimits = ParseLimits()) -> Node? {
        let document: YAMLDocument
        do {
            document = try YAMLParser.parse(bytes: bytes, limits: limits)
        } catch {
            self.error(error.message, at: error.mark, path: .root)
            return nil
        }
        for duplicate in document.duplicateKeys {
            add(Diagnostic(severity, file: file, mark: duplicate.mark, path: .root,
                           message: "duplicate key \"\(duplicate.key)\" (first defined at \(duplicate.firstMark))"))
        }
        guard let root = document.root else {
            self.error("the file is empty", at: Mark(line: 1, column: 1), path: .root)
            return nil
        }
        return root
    }
}
