import Testing
@testable import SlipwayYAML

@Suite struct DecoderTests {
    func decode(_ text: String, allowed: [String], _ body: (MappingReader) -> Void) -> [Diagnostic] {
        let context = DecodeContext(file: "f.yml")
        if let root = context.parse(bytes: Array(text.utf8)), let reader = context.mapping(root, .root, allowed: allowed) {
            body(reader)
        }
        return context.diagnostics
    }

    @Test func reportsEveryProblemAtOnce() {
        let diagnostics = decode("nmae: x\ncount: many\nflag: yes\n", allowed: ["name", "count", "flag"]) { reader in
            _ = reader.string("name", required: true)
            _ = reader.int("count")
            _ = reader.bool("flag")
        }
        #expect(diagnostics.map(\.description) == [
            "f.yml:1:1: unknown key \"nmae\" (did you mean \"name\"?)",
            "f.yml:1:1: missing required key \"name\"",
            "f.yml:2:8: count: expected an integer, found the string \"many\"",
            "f.yml:3:7: flag: expected true or false, found \"yes\" (write true or false)",
        ])
    }

    @Test func wrongTypesNameWhatWasFound() {
        let diagnostics = decode("list: {a: 1}\nmap: [1]\ntext: [x]\n", allowed: ["list", "map", "text"]) { reader in
            _ = reader.sequence("list")
            _ = reader.mapping("map", allowed: [])
            _ = reader.string("text")
        }
        #expect(diagnostics.map(\.message) == [
            "expected a list, found a mapping",
            "expected a mapping, found a list",
            "expected a string, found a list",
        ])
        #expect(diagnostics.map(\.path.description) == ["list", "map", "text"])
    }

    @Test func pathsNameIndexesAndKeys() {
        let path = FieldPath.root.appending("stages").appending(1).appending("strategy")
        #expect(path.description == "stages[1].strategy")
    }

    @Test func rangeAndStringListRules() {
        let diagnostics = decode("n: 120\nlist: one\n", allowed: ["n", "list"]) { reader in
            #expect(reader.int("n", range: 0...99) == nil)
            #expect(reader.stringList("list") == ["one"])
        }
        #expect(diagnostics.map(\.message) == ["120 is out of range (0–99)"])
    }

    @Test func duplicateKeysFollowTheRequestedSeverity() {
        let context = DecodeContext(file: "appspec.yml")
        _ = context.parse(bytes: Array("a: 1\na: 2\n".utf8), duplicateKeys: .warning)
        #expect(context.diagnostics.map(\.description) == ["appspec.yml:2:1: warning: duplicate key \"a\" (first defined at 1:1)"])
        #expect(!context.hasErrors)
    }

    @Test func emptyFileIsAnError() {
        let context = DecodeContext(file: "empty.yml")
        #expect(context.parse(bytes: []) == nil)
        #expect(context.diagnostics.map(\.description) == ["empty.yml:1:1: the file is empty"])
    }
}
