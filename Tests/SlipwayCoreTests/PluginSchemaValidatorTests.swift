import Testing
@testable import SlipwayCore

@Suite("Plugin config schema validation")
struct PluginSchemaValidatorTests {
    static let schema: ConfigValue = try! ConfigValue.parseJSON("""
    {"type": "object", "required": ["root", "hosts"], "additionalProperties": false,
     "properties": {
       "root": {"type": "string", "minLength": 1, "description": "ignored annotation", "default": "/srv"},
       "hosts": {"type": "array", "minItems": 1, "maxItems": 3,
                 "items": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}},
       "port": {"type": "integer", "minimum": 1, "maximum": 65535},
       "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
       "mode": {"enum": ["fast", "safe"]},
       "kind": {"const": "web"},
       "name": {"type": ["string", "null"], "maxLength": 5},
       "labels": {"type": "object", "additionalProperties": {"type": "string"}},
       "anything": true,
       "never": false
     }}
    """)

    static func base(_ extra: [String: ConfigValue] = [:]) -> ConfigValue {
        var fields: [String: ConfigValue] = ["root": .string("/srv"), "hosts": .array([.string("web-1")])]
        fields.merge(extra) { _, new in new }
        return .object(fields)
    }

    @Test func aValidValuePasses() {
        let value = Self.base(["port": .number(8080), "ratio": .number(0.5), "mode": .string("safe"), "kind": .string("web"),
                               "name": .null, "labels": .object(["team": .string("a")]), "anything": .array([])])
        #expect(JSONSchemaValidator(schema: Self.schema).validate(value).isEmpty)
    }

    @Test(arguments: [
        (base(["root": .number(3)]), "with.root", "must be a string, not the number 3"),
        (base(["root": .string("")]), "with.root", "must not be empty"),
        (base(["hosts": .array([])]), "with.hosts", "must have at least 1 item, not 0"),
        (base(["hosts": .array(["a", "b", "c", "d"].map(ConfigValue.string))]), "with.hosts", "must have at most 3 items, not 4"),
        (base(["hosts": .array([.string("ok"), .string("fine"), .string("Bad_Host")])]), "with.hosts[2]", "must match the pattern ^[a-z][a-z0-9-]*$"),
        (base(["port": .number(80.5)]), "with.port", "must be an integer, not the number 80.5"),
        (base(["port": .number(0)]), "with.port", "must be at least 1, not 0"),
        (base(["port": .number(70000)]), "with.port", "must be at most 65535, not 70000"),
        (base(["port": .string("80")]), "with.port", #"must be an integer, not the string "80""#),
        (base(["ratio": .number(1)]), "with.ratio", "must be less than 1, not 1"),
        (base(["mode": .string("slow")]), "with.mode", #"must be one of "fast", "safe", not "slow""#),
        (base(["kind": .string("db")]), "with.kind", #"must be "web", not "db""#),
        (base(["name": .bool(true)]), "with.name", "must be a string or null, not true"),
        (base(["name": .string("toolong")]), "with.name", "must be at most 5 characters long"),
        (base(["labels": .object(["team": .number(1)])]), "with.labels.team", "must be a string, not the number 1"),
        (base(["labels": .object(["odd key": .bool(false)])]), #"with.labels["odd key"]"#, "must be a string, not false"),
        (base(["never": .null]), "with.never", "is not allowed here"),
        (base(["hots": .array([])]), "with.hots", #"unknown key "hots" (did you mean "hosts"?)"#),
        (.object(["hosts": .array([.string("a")])]), "with", #"missing required key "root""#),
        (.array([]), "with", "must be an object, not an array"),
    ] as [(ConfigValue, String, String)])
    func eachViolationHasItsPathAndMessage(value: ConfigValue, path: String, message: String) {
        let violations = JSONSchemaValidator(schema: Self.schema).validate(value)
        #expect(violations.map(\.path) == [path])
        #expect(violations.map(\.message) == [message])
    }

    @Test func allViolationsAreReportedWithStructuredPaths() {
        let value: ConfigValue = .object(["hosts": .array([.string("ok"), .number(2)]), "port": .number(-1)])
        let violations = JSONSchemaValidator(schema: Self.schema).validate(value, root: "stages.web.with")
        #expect(violations.map(\.description) == [
            #"stages.web.with: missing required key "root""#,
            "stages.web.with.hosts[1]: must be a string, not the number 2",
            "stages.web.with.port: must be at least 1, not -1",
        ])
        #expect(violations[1].components == [.key("hosts"), .index(1)])
    }

    @Test func anInvalidPatternInTheSchemaIsReportedNotCrashed() {
        let schema: ConfigValue = .object(["type": .string("string"), "pattern": .string("([")])
        let violations = JSONSchemaValidator(schema: schema).validate(.string("x"))
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("invalid pattern") == true)
    }

    @Test func anEmptySchemaAcceptsAnything() {
        #expect(JSONSchemaValidator(schema: .object([:])).validate(.array([.null, .bool(true)])).isEmpty)
    }
}
