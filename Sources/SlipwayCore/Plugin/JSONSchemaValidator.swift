import Foundation

/// Validates a value against the JSON Schema subset plugins use for their stage config:
/// `type` (a name or an array of names; `integer` is a number without a fraction), `properties`,
/// `required`, `additionalProperties` (bool or schema), `items`, `enum`, `const`, `minimum`,
/// `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `pattern`,
/// `minItems`, `maxItems`. Annotations (`description`, `default`, `title`, `$schema`, ...) and
/// keywords outside the subset are ignored, so a richer schema never rejects valid input.
public struct JSONSchemaValidator: Sendable {
    public let schema: ConfigValue

    public init(schema: ConfigValue) {
        self.schema = schema
    }

    /// Every violation, in document order (object keys sorted), each with its path under `root`.
    public func validate(_ value: ConfigValue, root: String = "with") -> [SchemaViolation] {
        var walk = Walk(root: root)
        walk.check(value, against: schema, at: [])
        return walk.violations
    }

    private struct Walk {
        let root: String
        var violations: [SchemaViolation] = []

        mutating func report(_ path: [SchemaViolation.PathComponent], _ message: String) {
            violations.append(SchemaViolation(root: root, components: path, message: message))
        }

        mutating func check(_ value: ConfigValue, against schema: ConfigValue, at path: [SchemaViolation.PathComponent]) {
            // `true`/`false` are valid schemas: accept everything / nothing.
            if case .bool(let accepts) = schema {
                if !accepts { report(path, "is not allowed here") }
                return
            }
            guard let rules = schema.objectValue else { return }
            if let type = rules["type"], !matches(value, type: type) {
                report(path, "must be \(Self.describe(type: type)), not \(Self.describe(valueOf: value))")
                return  // the other keywords would only repeat the same problem
            }
            if let allowed = rules["enum"]?.arrayValue, !allowed.contains(where: { Self.equal($0, value) }) {
                report(path, "must be one of \(allowed.map(Self.show).joined(separator: ", ")), not \(Self.show(value))")
            }
            if let constant = rules["const"], !Self.equal(constant, value) {
                report(path, "must be \(Self.show(constant)), not \(Self.show(value))")
            }
            switch value {
            case .number(let number): checkNumber(number, rules, path)
            case .string(let text): checkString(text, rules, path)
            case .array(let items): checkArray(items, rules, path)
            case .object(let fields): checkObject(fields, rules, path)
            case .null, .bool: break
            }
        }

        mutating func checkNumber(_ number: Double, _ rules: [String: ConfigValue], _ path: [SchemaViolation.PathComponent]) {
            if let minimum = rules["minimum"]?.numberValue, number < minimum {
                report(path, "must be at least \(Self.show(.number(minimum))), not \(Self.show(.number(number)))")
            }
            if let maximum = rules["maximum"]?.numberValue, number > maximum {
                report(path, "must be at most \(Self.show(.number(maximum))), not \(Self.show(.number(number)))")
            }
            if let bound = rules["exclusiveMinimum"]?.numberValue, number <= bound {
                report(path, "must be greater than \(Self.show(.number(bound))), not \(Self.show(.number(number)))")
            }
            if let bound = rules["exclusiveMaximum"]?.numberValue, number >= bound {
                report(path, "must be less than \(Self.show(.number(bound))), not \(Self.show(.number(number)))")
            }
        }

        mutating func checkString(_ text: String, _ rules: [String: ConfigValue], _ path: [SchemaViolation.PathComponent]) {
            // JSON Schema counts code points, not grapheme clusters.
            let length = text.unicodeScalars.count
            if let minimum = rules["minLength"]?.numberValue, Double(length) < minimum {
                report(path, minimum == 1 ? "must not be empty" : "must be at least \(Int(minimum)) characters long")
            }
            if let maximum = rules["maxLength"]?.numberValue, Double(length) > maximum {
                report(path, "must be at most \(Int(maximum)) characters long")
            }
            if let pattern = rules["pattern"]?.stringValue {
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    report(path, "cannot be checked: the plugin's schema has an invalid pattern \(pattern)")
                    return
                }
                // `pattern` is not anchored: a match anywhere in the string counts.
                let range = NSRange(text.startIndex..., in: text)
                if regex.firstMatch(in: text, range: range) == nil {
                    report(path, "must match the pattern \(pattern)")
                }
            }
        }

        mutating func checkArray(_ items: [ConfigValue], _ rules: [String: ConfigValue], _ path: [SchemaViolation.PathComponent]) {
            if let minimum = rules["minItems"]?.numberValue, Double(items.count) < minimum {
                report(path, "must have at least \(Int(minimum)) item\(minimum == 1 ? "" : "s"), not \(items.count)")
            }
            if let maximum = rules["maxItems"]?.numberValue, Double(items.count) > maximum {
                report(path, "must have at most \(Int(maximum)) item\(maximum == 1 ? "" : "s"), not \(items.count)")
            }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() {
                    check(item, against: itemSchema, at: path + [.index(index)])
                }
            }
        }

        mutating func checkObject(_ fields: [String: ConfigValue], _ rules: [String: ConfigValue], _ path: [SchemaViolation.PathComponent]) {
            let properties = rules["properties"]?.objectValue ?? [:]
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
                report(path, "missing required key \"\(name)\"")
            }
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[key] {
                    check(value, against: propertySchema, at: path + [.key(key)])
                    continue
                }
                switch rules["additionalProperties"] {
                case .bool(false)?:
                    report(path + [.key(key)], Self.unknownKeyMessage(key, known: properties.keys.sorted()))
                case let extra? where extra.objectValue != nil:
                    check(value, against: extra, at: path + [.key(key)])
                default:
                    break
                }
            }
        }

        func matches(_ value: ConfigValue, type: ConfigValue) -> Bool {
            if let names = type.arrayValue { return names.contains { matches(value, type: $0) } }
            switch (type.stringValue, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array),
                 ("object", .object), ("number", .number):
                return true
            case ("integer", .number(let number)):
                return number.rounded(.towardZero) == number && number.isFinite
            default:
                return false
            }
        }

        static func describe(type: ConfigValue) -> String {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? "?"]
            let phrases = names.map { name in
                switch name {
                case "integer", "array", "object": "an \(name)"
                case "null": "null"
                default: "a \(name)"
                }
            }
            return phrases.count <= 1 ? (phrases.first ?? "?") : phrases.dropLast().joined(separator: ", ") + " or " + phrases.last!
        }

        static func describe(valueOf value: ConfigValue) -> String {
            switch value {
            case .null: "null"
            case .bool(let flag): "\(flag)"
            case .number: "the number \(show(value))"
            case .string(let text): "the string \(show(.string(text)))"
            case .array: "an array"
            case .object: "an object"
            }
        }

        /// JSON text for short values, so messages show exactly what was given.
        static func show(_ value: ConfigValue) -> String {
            let text = value.jsonText
            return text.count > 60 ? String(text.prefix(57)) + "..." : text
        }

        /// JSON equality; numbers are Doubles, so 1 and 1.0 are already the same value.
        static func equal(_ left: ConfigValue, _ right: ConfigValue) -> Bool { left == right }

        static func unknownKeyMessage(_ key: String, known: [String]) -> String {
            if let suggestion = known.min(by: { editDistance($0, key) < editDistance($1, key) }),
               editDistance(suggestion, key) <= max(1, key.count / 3) {
                return "unknown key \"\(key)\" (did you mean \"\(suggestion)\"?)"
            }
            return known.isEmpty ? "unknown key \"\(key)\"" : "unknown key \"\(key)\" (allowed: \(known.joined(separator: ", ")))"
        }

        static func editDistance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
    }
}
