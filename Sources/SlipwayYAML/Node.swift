/// A position in a YAML source, 1-based (libyaml's marks are 0-based; the parser converts).
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }

    public static func < (a: Mark, b: Mark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

public enum ScalarStyle: String, Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One node of a parsed document. A class so that an alias can share its anchor's subtree
/// instead of copying it: that is what keeps an alias bomb from exploding memory while parsing.
public final class Node: Sendable {
    public enum Content: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([Node])
        case mapping([Pair])
    }

    public struct Pair: Sendable {
        public let key: Node
        public let value: Node
    }

    public let content: Content
    public let mark: Mark
    /// The explicit tag (`!!str`, `!secret`), already expanded by libyaml; nil when implicit.
    public let tag: String?
    public let anchor: String?
    /// Nodes this subtree stands for once aliases are expanded; bounds work done by consumers.
    let expandedSize: Int

    init(content: Content, mark: Mark, tag: String?, anchor: String?, expandedSize: Int) {
        self.content = content
        self.mark = mark
        self.tag = tag
        self.anchor = anchor
        self.expandedSize = expandedSize
    }

    public var scalar: String? {
        if case .scalar(let value, _) = content { return value }
        return nil
    }

    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let style) = content { return style }
        return nil
    }

    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A plain scalar that YAML's core schema reads as null (`~`, `null`, or nothing at all).
    public var isNull: Bool {
        guard case .scalar(let value, .plain) = content, tag == nil else { return false }
        return value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL"
    }

    /// What the node is, in the words an error message needs ("a mapping", "the string \"x\"").
    public var kindDescription: String {
        switch content {
        case .scalar(let value, let style):
            if isNull { return "null" }
            if style == .plain, Int(value) != nil { return "the number \(value)" }
            return "the string \"\(value.count > 40 ? String(value.prefix(40)) + "…" : value)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// A parsed single-document YAML source.
public struct YAMLDocument: Sendable {
    /// Nil when the source holds no document at all (an empty file).
    public let root: Node?
    /// Keys that appear twice in one mapping. The later value wins in `root`; the caller decides
    /// whether that is an error (pipelines) or a warning (appspec files, as CodeDeploy accepts them).
    public let duplicateKeys: [DuplicateKey]
}

public struct DuplicateKey: Sendable, Equatable {
    public let key: String
    public let mark: Mark
    public let firstMark: Mark
}
