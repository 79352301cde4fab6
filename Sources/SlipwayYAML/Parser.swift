import CYaml

/// A YAML syntax or structure problem, at a position in the source.
public struct YAMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let mark: Mark

    public var description: String { "\(mark): \(message)" }
}

/// Limits that keep hostile input from hanging or crashing the parser.
public struct ParseLimits: Sendable {
    /// Nodes a document may stand for once aliases are expanded ("billion laughs").
    public var maxExpandedNodes = 100_000
    /// Nesting depth of sequences and mappings.
    public var maxDepth = 128
    public var maxBytes = 16 * 1024 * 1024

    public init() {}
}

/// Builds a node tree from libyaml's event stream, with 1-based marks on every node.
public enum YAMLParser {
    public static func parse(_ text: String, limits: ParseLimits = ParseLimits()) throws(YAMLSyntaxError) -> YAMLDocument {
        try parse(bytes: Array(text.utf8), limits: limits)
    }

    public static func parse(bytes: [UInt8], limits: ParseLimits = ParseLimits()) throws(YAMLSyntaxError) -> YAMLDocument {
        guard bytes.count <= limits.maxBytes else {
            throw YAMLSyntaxError(message: "file is larger than \(limits.maxBytes) bytes", mark: Mark(line: 1, column: 1))
        }
        var builder = TreeBuilder(limits: limits)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLSyntaxError(message: "cannot initialize the YAML parser", mark: Mark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }

        // libyaml does not copy its input: the buffer must outlive every parse call, so the whole
        // event loop runs inside this closure.
        let result: Result<Void, YAMLSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(syntaxError(of: parser))
                }
                let type = event.type
                let outcome = Result { () throws(YAMLSyntaxError) in try builder.handle(event) }
                yaml_event_delete(&event)
                if case .failure(let error) = outcome { return .failure(error) }
                if type == YAML_STREAM_END_EVENT { return .success(()) }
            }
        }
        try result.get()
        return YAMLDocument(root: builder.root, duplicateKeys: builder.duplicates)
    }

    private static func syntaxError(of parser: yaml_parser_t) -> YAMLSyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at \(parser.context_mark.line + 1):\(parser.context_mark.column + 1))"
        }
        // For reader errors libyaml leaves problem_mark at zero and reports a byte offset instead.
        let mark = parser.error == YAML_READER_ERROR
            ? Mark(line: 1, column: Int(parser.problem_offset) + 1)
            : Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        return YAMLSyntaxError(message: message, mark: mark)
    }
}

/// Turns events into nodes with an explicit stack, so nesting depth never becomes Swift recursion.
private struct TreeBuilder {
    private enum Frame {
        case sequence(start: Start, items: [Node], size: Int)
        case mapping(start: Start, items: [Node], size: Int)
    }

    private struct Start {
        let mark: Mark
        let tag: String?
        let anchor: String?
    }

    let limits: ParseLimits
    private var stack: [Frame] = []
    private var anchors: [String: Node] = [:]
    private var documents = 0
    private(set) var root: Node?
    private(set) var duplicates: [DuplicateKey] = []

    init(limits: ParseLimits) {
        self.limits = limits
    }

    mutating func handle(_ event: yaml_event_t) throws(YAMLSyntaxError) {
        let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            guard documents == 1 else {
                throw YAMLSyntaxError(message: "expected a single YAML document, found a second one", mark: mark)
            }
            anchors = [:]
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = data.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self) } ?? ""
            let node = Node(content: .scalar(value, style(of: data.style)), mark: mark,
                            tag: string(data.tag), anchor: string(data.anchor), expandedSize: 1)
            try complete(node)
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLSyntaxError(message: "unknown alias \"*\(name)\"", mark: mark)
            }
            try complete(target)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            try push(.sequence(start: Start(mark: mark, tag: string(data.tag), anchor: string(data.anchor)), items: [], size: 1), at: mark)
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            try push(.mapping(start: Start(mark: mark, tag: string(data.tag), anchor: string(data.anchor)), items: [], size: 1), at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            switch frame {
            case .sequence(let start, let items, let size):
                try complete(Node(content: .sequence(items), mark: start.mark, tag: start.tag, anchor: start.anchor, expandedSize: size))
            case .mapping(let start, let items, let size):
                let pairs = try mergedPairs(items)
                try complete(Node(content: .mapping(pairs), mark: start.mark, tag: start.tag, anchor: start.anchor, expandedSize: size))
            }
        default:
            break
        }
    }

    private mutating func push(_ frame: Frame, at mark: Mark) throws(YAMLSyntaxError) {
        guard stack.count < limits.maxDepth else {
            throw YAMLSyntaxError(message: "nesting deeper than \(limits.maxDepth) levels", mark: mark)
        }
        stack.append(frame)
    }

    private mutating func complete(_ node: Node) throws(YAMLSyntaxError) {
        if let anchor = node.anchor { anchors[anchor] = node }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        func grow(_ size: Int) throws(YAMLSyntaxError) -> Int {
            let (sum, overflow) = size.addingReportingOverflow(node.expandedSize)
            guard !overflow, sum <= limits.maxExpandedNodes else {
                throw YAMLSyntaxError(
                    message: "document expands to more than \(limits.maxExpandedNodes) nodes through aliases (an alias bomb?)",
                    mark: node.mark)
            }
            return sum
        }
        switch top {
        case .sequence(let start, var items, let size):
            items.append(node)
            stack.append(.sequence(start: start, items: items, size: try grow(size)))
        case .mapping(let start, var items, let size):
            items.append(node)
            stack.append(.mapping(start: start, items: items, size: try grow(size)))
        }
    }

    /// Pairs keys with values, applies `<<` merge keys (explicit keys win over merged ones, earlier
    /// merge sources over later ones) and records duplicate keys.
    private mutating func mergedPairs(_ items: [Node]) throws(YAMLSyntaxError) -> [Node.Pair] {
        var explicit: [Node.Pair] = []
        var merged: [Node.Pair] = []
        var index = 0
        while index + 1 < items.count {
            let key = items[index], value = items[index + 1]
            index += 2
            if case .scalar("<<", .plain) = key.content, key.tag == nil {
                let sources = value.sequence ?? [value]
                for source in sources {
                    guard let pairs = source.mapping else {
                        throw YAMLSyntaxError(message: "a merge key (<<) takes a mapping or a list of mappings, not \(source.kindDescription)", mark: source.mark)
                    }
                    merged.append(contentsOf: pairs)
                }
            } else {
                explicit.append(Node.Pair(key: key, value: value))
            }
        }
        var result: [Node.Pair] = []
        var positions: [String: Int] = [:]
        for pair in explicit {
            let name = pair.key.scalar ?? "\(pair.key.mark)"
            if let existing = positions[name] {
                duplicates.append(DuplicateKey(key: name, mark: pair.key.mark, firstMark: result[existing].key.mark))
                result[existing] = pair
            } else {
                positions[name] = result.count
                result.append(pair)
            }
        }
        for pair in merged {
            let name = pair.key.scalar ?? "\(pair.key.mark)"
            if positions[name] == nil {
                positions[name] = result.count
                result.append(pair)
            }
        }
        return result
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private func style(of style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
