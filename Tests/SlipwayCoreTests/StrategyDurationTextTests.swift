import Testing
import SlipwayCore

@Suite("DurationText")
struct StrategyDurationTextTests {
    @Test("parses the pipeline notation", arguments: [
        ("90s", Duration.seconds(90)),
        ("5m", .seconds(300)),
        ("1h", .seconds(3600)),
        ("1h30m", .seconds(5400)),
        ("1m30s", .seconds(90)),
        ("500ms", .milliseconds(500)),
        ("1s500ms", .milliseconds(1500)),
        ("1h0m5s", .seconds(3605)),
        ("2880m", .seconds(2880 * 60)),
        ("42", .seconds(42)),
        ("0", .zero),
        ("0s", .zero),
        (" 5m\n", .seconds(300)),
        ("9223372036854775807ms", .milliseconds(Int64.max)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test("rejects empty, negative, malformed and overflowing text", arguments: [
        "", "   ", "-5s", "-5", "+5s", "abc", "5x", "5 m", "m", "ms5", "5mm", "30m1h", "5m5m",
        "1s1h", "1.5h", "5M", "1h30", "٣s",
        "99999999999999999999", "9223372036854775807s", "9223372036854775807", "9223372036854775807h",
    ])
    func rejects(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("formats with the largest units first", arguments: [
        (Duration.seconds(300), "5m"),
        (.seconds(90), "1m30s"),
        (.seconds(45), "45s"),
        (.milliseconds(500), "500ms"),
        (.seconds(7200), "2h"),
        (.seconds(5400), "1h30m"),
        (.milliseconds(3_661_500), "1h1m1s500ms"),
        (.zero, "0s"),
        (.seconds(-90), "-1m30s"),
        (.microseconds(1500), "1ms"),
    ])
    func formats(duration: Duration, expected: String) {
        #expect(DurationText.format(duration) == expected)
    }

    @Test("format then parse gives the same duration", arguments: [
        Duration.zero, .milliseconds(1), .milliseconds(999), .seconds(59), .seconds(60), .seconds(3599),
        .seconds(2880 * 60), .milliseconds(86_400_123), .seconds(1_000_000_007),
    ])
    func roundTripsDurations(duration: Duration) {
        #expect(DurationText.parse(DurationText.format(duration)) == duration)
    }

    @Test("canonical text survives parse then format", arguments: [
        "5m", "1m30s", "45s", "500ms", "2h", "1h30m", "48h", "1h1m1s1ms",
    ])
    func roundTripsText(text: String) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(DurationText.format(duration) == text)
    }

    @Test("non-canonical text is normalised", arguments: [("90s", "1m30s"), ("120", "2m"), ("0m", "0s")])
    func normalises(text: String, canonical: String) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(DurationText.format(duration) == canonical)
    }
}
