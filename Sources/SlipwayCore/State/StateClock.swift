import Foundation

/// Wall-clock time and sleeping for locks and journals. Locks compare times written by other
/// machines, so this is `Date` (wall clock), not a monotonic clock; tests inject a clock that
/// is hours ahead (to see a lock as expired) or whose sleep returns at once.
public protocol StateClock: Sendable {
    func now() -> Date
    /// Throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

public struct SystemStateClock: StateClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

enum StateTime {
    static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }

    static func adding(_ duration: Duration, to date: Date) -> Date {
        date.addingTimeInterval(seconds(duration))
    }

    private static let wholeSeconds = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    /// Times are stored with millisecond precision, handled as an integer count so that
    /// formatting and parsing are exact inverses (Foundation's fractional-second formatting
    /// is not: a parsed time could format one millisecond off).
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    /// `2025-11-30T12:01:07.123Z`: milliseconds matter for expiry and history order.
    static func iso8601(_ date: Date) -> String {
        let total = milliseconds(date)
        let seconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        let whole = wholeSeconds.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
        return whole.dropLast() + String(format: ".%03dZ", Int(total - seconds * 1000))
    }

    /// Reads `…T12:01:07Z` and `…T12:01:07.1Z` to `…T12:01:07.123456Z` (digits past the
    /// millisecond are dropped).
    static func parseISO8601(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return nil }
        var fraction: Int64 = 0
        var wholeText = text
        if let dot = text.lastIndex(of: ".") {
            let digits = text[text.index(after: dot)..<text.index(before: text.endIndex)]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fraction = Int64(String((digits + "00").prefix(3))) ?? 0
            wholeText = String(text[..<dot]) + "Z"
        }
        guard let whole = try? wholeSeconds.parse(wholeText) else { return nil }
        return date(milliseconds: Int64(whole.timeIntervalSince1970.rounded()) * 1000 + fraction)
    }

    /// `date` as it will read back from a stored document (millisecond precision), so what a
    /// writer keeps in memory compares equal to what others decode.
    static func normalized(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }

    /// `20251130T120107.123Z`: fixed width, so string order is time order.
    static func sortableStamp(_ date: Date) -> String {
        iso8601(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// `12:01:07` in `timeZone`, for messages.
    static func clockTime(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
