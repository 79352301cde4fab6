import Testing
@testable import SlipwayYAML

@Suite struct ParserTests {
    @Test func scalarsCarryStyleTagAndOneBasedMarks() throws {
        let document = try YAMLParser.parse("""
        plain: hello
        single: 'a b'
        double: "c\\td"
        tagged: !secret hunter2
        literal: |
          line one
          line two
        """)
        let pairs = try #require(document.root?.mapping)
        #expect(pairs.map { $0.key.scalar } == ["plain", "single", "double", "tagged", "literal"])
        #expect(pairs[0].value.scalar == "hello")
        #expect(pairs[0].value.scalarStyle == .plain)
        #expect(pairs[0].value.mark == Mark(line: 1, column: 8))
        #expect(pairs[1].value.scalarStyle == .singleQuoted)
        #expect(pairs[2].value.scalar == "c\td")
        #expect(pairs[2].value.scalarStyle == .doubleQuoted)
        #expect(pairs[3].value.tag == "!secret")
        #expect(pairs[4].value.scalarStyle == .literal)
        // The source ends without a newline, so clip chomping keeps none.
        #expect(pairs[4].value.scalar == "line one\nline two")
        #expect(pairs[4].key.mark == Mark(line: 5, column: 1))
    }

    @Test func sequencesAndNestedMappingsKeepPositions() throws {
        let document = try YAMLParser.parse("""
        stages:
          - name: a
          - name: b
            needs: [a]
        """)
        let stages = try #require(document.root?.mapping?.first?.value.sequence)
        #expect(stages.count == 2)
        #expect(stages[1].mark == Mark(line: 3, column: 5))
        let needs = try #require(stages[1].mapping?.last?.value.sequence)
        #expect(needs.map(\.scalar) == ["a"])
        #expect(needs[0].mark == Mark(line: 4, column: 13))
    }

    @Test func aliasesShareTheAnchoredNode() throws {
        let document = try YAMLParser.parse("""
        base: &base {a: 1}
        copy: *base
        """)
        let pairs = try #require(document.root?.mapping)
        #expect(pairs[0].value.anchor == "base")
        #expect(pairs[1].value === pairs[0].value)
    }

    @Test func mergeKeysLetExplicitKeysWin() throws {
        let document = try YAMLParser.parse("""
        defaults: &defaults
          timeout: 5m
          dir: app
        step:
          <<: *defaults
          dir: web
          run: make
        """)
        let step = try #require(document.root?.mapping?[1].value.mapping)
        let values = Dictionary(uniqueKeysWithValues: step.map { ($0.key.scalar!, $0.value.scalar!) })
        #expect(values == ["dir": "web", "run": "make", "timeout": "5m"])
        #expect(step.map(\.key.scalar) == ["dir", "run", "timeout"])
    }

    @Test func mergeKeyTakesAListOfMappingsEarlierWinning() throws {
        let document = try YAMLParser.parse("""
        a: &a {x: 1, y: 1}
        b: &b {y: 2, z: 2}
        c:
          <<: [*a, *b]
        """)
        let merged = try #require(document.root?.mapping?[2].value.mapping)
        let values = Dictionary(uniqueKeysWithValues: merged.map { ($0.key.scalar!, $0.value.scalar!) })
        #expect(values == ["x": "1", "y": "1", "z": "2"])
    }

    @Test func mergeOfAScalarIsAnError() {
        #expect(throws: YAMLSyntaxError(message: "a merge key (<<) takes a mapping or a list of mappings, not the string \"nope\"",
                                        mark: Mark(line: 2, column: 7))) {
            try YAMLParser.parse("a:\n  <<: nope\n")
        }
    }

    @Test func duplicateKeysAreRecordedWithBothPositions() throws {
        let document = try YAMLParser.parse("name: a\nother: 1\nname: b\n")
        #expect(document.duplicateKeys == [DuplicateKey(key: "name", mark: Mark(line: 3, column: 1), firstMark: Mark(line: 1, column: 1))])
        #expect(document.root?.mapping?.first?.value.scalar == "b")
    }

    @Test func syntaxErrorsHaveAPosition() {
        do {
            _ = try YAMLParser.parse("a: [1, 2\nb: 3\n")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.message.contains("did not find expected ',' or ']'"))
            #expect(error.mark.line == 2)
        }
    }

    @Test func badIndentationIsASyntaxError() {
        #expect(throws: YAMLSyntaxError.self) {
            try YAMLParser.parse("a:\n  b: 1\n c: 2\n")
        }
    }

    @Test func unknownAliasIsAnError() {
        #expect(throws: YAMLSyntaxError(message: "unknown alias \"*missing\"", mark: Mark(line: 1, column: 4))) {
            try YAMLParser.parse("a: *missing\n")
        }
    }

    @Test func emptyInputHasNoRoot() throws {
        #expect(try YAMLParser.parse("").root == nil)
        #expect(try YAMLParser.parse("# only a comment\n").root == nil)
    }

    @Test func aSecondDocumentIsRefused() {
        #expect(throws: YAMLSyntaxError.self) {
            try YAMLParser.parse("a: 1\n---\nb: 2\n")
        }
    }

    @Test func billionLaughsIsRefusedQuickly() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        do {
            _ = try YAMLParser.parse(text)
            Issue.record("an alias bomb was accepted")
        } catch {
            #expect(error.message.contains("alias bomb"))
        }
    }

    @Test func deepNestingIsRefusedWithoutCrashing() {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        do {
            _ = try YAMLParser.parse(text)
            Issue.record("deep nesting was accepted")
        } catch {
            #expect(error.message == "nesting deeper than 128 levels")
        }
    }

    @Test func invalidUTF8IsAnError() {
        #expect(throws: YAMLSyntaxError.self) {
            try YAMLParser.parse(bytes: [0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A])
        }
    }
}

@Suite struct SuggestionTests {
    @Test func closeTyposGetASuggestion() {
        #expect(Suggestion.closest(to: "CodeDeployDefault.HalfAtATim", among: ["CodeDeployDefault.HalfAtATime", "CodeDeployDefault.AllAtOnce"])
                == "CodeDeployDefault.HalfAtATime")
        #expect(Suggestion.closest(to: "stages", among: ["stage", "name"]) == "stage")
        #expect(Suggestion.closest(to: "buidl", among: ["build", "store"]) == "build")
    }

    @Test func unrelatedWordsGetNone() {
        #expect(Suggestion.closest(to: "zebra", among: ["build", "store", "stages"]) == nil)
        #expect(Suggestion.hint(for: "x", among: []) == "")
    }
}
