import Foundation
import SlipwayJSON
import Testing

/// The one JSON type both the runner (as `ConfigValue`) and plugins use: what each side relies on.
@Suite struct JSONValueTests {
    @Test func jsonTextIsCompactSortedAndParsesBack() throws {
        let value: JSONValue = ["url": "https://a/b", "list": [1, 2.5, true, nil], "nested": ["z": "", "a": false]]
        // Sorted keys make journal entries and test expectations stable; slashes stay readable.
        #expect(value.jsonText == #"{"list":[1,2.5,true,null],"nested":{"a":false,"z":""},"url":"https://a/b"}"#)
        #expect(try JSONValue.parseJSON(value.jsonText) == value)
    }

    @Test func booleansAreNotNumbersAndNumbersAreNotBooleans() throws {
        #expect(try JSONValue.parseJSON("[true, 1, 0, false]") == .array([.bool(true), .number(1), .number(0), .bool(false)]))
    }

    @Test func badTextSaysWhere() {
        let error = #expect(throws: JSONTextError.self) { try JSONValue.parseJSON(#"{"a": }"#) }
        // JSONDecoder alone would only say "not valid JSON".
        #expect(error?.message.contains("around character") == true)
    }

    struct State: Codable, Equatable {
        var version: Int
        var groups: [String]
        var previous: String?
    }

    @Test func codableTypesRoundTrip() throws {
        let state = State(version: 7, groups: ["web-blue", "web-green"], previous: nil)
        let value = try JSONValue(encoding: state)
        #expect(value == ["version": 7, "groups": ["web-blue", "web-green"]])
        #expect(try value.decode(as: State.self) == state)
        let wrongType: JSONValue = ["version": "seven", "groups": []]
        #expect(throws: DecodingError.self) { try wrongType.decode(as: State.self) }
    }

    @Test func accessorsReadOnlyTheirOwnCase() {
        let value: JSONValue = ["name": "web", "count": 3, "ratio": 0.5, "on": true, "tags": ["a"]]
        #expect(value["name"]?.stringValue == "web")
        #expect(value["count"]?.intValue == 3)
        #expect(value["count"]?.stringValue == nil)
        #expect(value["ratio"]?.intValue == nil)
        #expect(value["ratio"]?.numberValue == 0.5)
        #expect(value["on"]?.boolValue == true)
        #expect(value["tags"]?.arrayValue == ["a"])
        #expect(value["missing"] == nil)
        #expect(value["name"]?["name"] == nil)
        #expect(value.objectValue?.count == 5)
        #expect(JSONValue.number(1e16).intValue == nil)
        #expect([JSONValue.null, true, 1, "", [], [:]].map(\.jsonTypeName)
                == ["null", "boolean", "number", "string", "array", "object"])
    }
}
