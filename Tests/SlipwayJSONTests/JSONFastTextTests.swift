import Foundation
@testable import SlipwayJSON
import Testing

/// The hand-written JSON reader and writer must agree with Foundation's JSONDecoder and
/// JSONEncoder (.sortedKeys, .withoutEscapingSlashes), which they replace on the hot path.
@Suite struct JSONFastTextTests {
    static let samples: [JSONValue] = [
        .null, true, false, 0, -0.0, 1, -1, 42, 0.5, -2.25, 0.1, 1e-7, 2.5e-5, 1e15, 1e21, 123_456_789_012, 9_007_199_254_740_993,
        1.7976931348623157e308, "", "plain", "a/b", "quote \" and \\ backslash", "tab\tnew\nline\r\u{1}\u{1f}\u{7f}",
        "é ü 日本 \u{2028} 🚀", ["nested": ["a": [1, 2, ["deep": nil]]], "B": "x", "_": true, "a10": 1, "a9": 2],
        ["ünïcode kéy": 1, "ascii": 2], [], [:], [[], [:], [[]]],
    ]

    @Test func theWriterWritesWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for value in Self.samples {
            let expected = String(decoding: try encoder.encode([value]), as: UTF8.self).dropFirst().dropLast()
            #expect(value.jsonText == String(expected), "\(value)")
        }
    }

    @Test func theReaderReadsWhatTheWriterAndJSONEncoderWrite() throws {
        for value in Self.samples {
            let parsed = try JSONValue.parseJSON(value.jsonText)
            #expect(parsed == value || (parsed.isNegativeZero && value.isNegativeZero), "\(value.jsonText)")
        }
        let text = #" { "a" : [ 1 , 2.50 , -3e2 , "x\u00e9\ud83d\ude80\/\b\f" ] , "b" : { } , "c" : null } "#
        #expect(try JSONValue.parseJSON(text) == ["a": [1, 2.5, -300, "xé🚀/\u{8}\u{c}"], "b": [:], "c": nil])
    }

    @Test func invalidTextIsRefusedWithFoundationsMessage() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"open", "\"bad \\x\"", "\"\u{1}\"", "[1] 2", "\"\\ud800\"", "{\"a\":1,}"] {
            #expect(throws: JSONTextError.self, "\(text.debugDescription)") { try JSONValue.parseJSON(text) }
        }
        let error = #expect(throws: JSONTextError.self) { try JSONValue.parseJSON("{\"a\": tru}") }
        #expect(error?.message.isEmpty == false)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONTextError.self) { try JSONValue.parseJSON(deep) }
    }
}

private extension JSONValue {
    var isNegativeZero: Bool {
        if case .number(let number) = self { return number == 0 && number.sign == .minus }
        return false
    }
}

