/// The duration notation used throughout the pipeline format: "90s", "5m", "1h30m", "500ms",
/// or a bare integer meaning seconds.
///
/// Units must appear largest first and at most once ("1h30m", not "30m1h" or "5m5m"), so every
/// duration has one obvious spelling and a typo cannot silently add up to something else.
/// Fractions ("1.5h"), signs, spaces inside the text and upper-case units are rejected rather
/// than guessed at. Values are kept to millisecond precision.
public enum DurationText {
    /// Units in the only order they may appear, with their size in milliseconds.
    private static let units: [(symbol: String, milliseconds: Int64)] = [
        ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// Parses `s`, or returns nil for empty, negative, malformed or overflowing text.
    /// Leading and trailing whitespace is ignored (YAML scalars sometimes keep it).
    public static func parse(_ s: String) -> Duration? {
        let bytes = Array(trimmingWhitespace(s).utf8)
        guard !bytes.isEmpty else { return nil }

        if bytes.allSatisfy(isDigit) {
            guard let seconds = integer(bytes[...]),
                  let total = multiply(seconds, 1_000) else { return nil }
            return .milliseconds(total)
        }

        var total: Int64 = 0
        var index = 0
        var nextAllowedUnit = 0
        while index < bytes.count {
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > digitsStart, let value = integer(bytes[digitsStart..<index]) else { return nil }

            let letterStart = index
            while index < bytes.count, !isDigit(bytes[index]) { index += 1 }
            let symbol = String(decoding: bytes[letterStart..<index], as: UTF8.self)
            guard let unitIndex = units.firstIndex(where: { $0.symbol == symbol }),
                  unitIndex >= nextAllowedUnit,
                  let part = multiply(value, units[unitIndex].milliseconds) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { return nil }
            total = sum
            nextAllowedUnit = unitIndex + 1
        }
        return .milliseconds(total)
    }

    /// Formats `d` in the same notation, largest units first: "2h", "1m30s", "45s", "500ms",
    /// "0s". Anything below a millisecond is dropped, so `parse(format(d)) == d` holds for
    /// every non-negative duration with millisecond precision.
    public static func format(_ d: Duration) -> String {
        if d < .zero { return "-" + format(.zero - d) }
        let (seconds, attoseconds) = d.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        let parts: [(Int64, String)] = [
            (seconds / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s"), (milliseconds, "ms"),
        ]
        let text = parts.filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
        return text.isEmpty ? "0s" : text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Decimal value of an all-digit slice, or nil when it does not fit in Int64.
    private static func integer(_ digits: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for digit in digits {
            guard let shifted = multiply(value, 10) else { return nil }
            let (sum, overflow) = shifted.addingReportingOverflow(Int64(digit - 0x30))
            guard !overflow else { return nil }
            value = sum
        }
        return value
    }

    private static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }

    private static func trimmingWhitespace(_ s: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = s.firstIndex(where: { !isSpace($0) }),
              let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return s[first...last]
    }
}
