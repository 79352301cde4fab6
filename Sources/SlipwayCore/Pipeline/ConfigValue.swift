import SlipwayJSON
import SlipwayYAML

/// Any JSON value inside the runner: a stage's `with:` settings, what plugins send and return,
/// journal entries. The same type plugins see as `JSONValue` (one definition, in `SlipwayJSON`);
/// the runner keeps its own name for it, which its whole code and tests use.
public typealias ConfigValue = JSONValue

extension ConfigValue {
    /// Converts YAML with the core schema: plain `true`/`false`, numbers and nulls are typed,
    /// quoted scalars stay strings. `transform` rewrites every string (interpolation).
    /// Lives here, not in `SlipwayJSON`, so that the plugin SDK does not depend on the YAML parser.
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
