import Foundation

/// SigV4 timestamps (`20150830T123600Z`) formatted by hand: DateFormatter is neither cheap
/// nor safe to share across threads on Linux.
enum AWSTimestamp {
    /// Returns (`yyyyMMdd'T'HHmmss'Z'`, `yyyyMMdd`) in UTC.
    static func amzDate(_ date: Date) -> (dateTime: String, day: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let day = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        let time = String(format: "%02d%02d%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return (day + "T" + time + "Z", day)
    }

    /// Parses ISO 8601 instants as credential endpoints send them
    /// (`2024-01-01T00:00:00Z`, with or without fractional seconds or an offset).
    static func parseISO8601(_ string: String) -> Date? {
        let plain = Date.ISO8601FormatStyle()
        if let date = try? plain.parse(string) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(string)
    }
}
