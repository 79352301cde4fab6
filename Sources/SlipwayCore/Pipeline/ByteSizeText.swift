import Foundation

/// Sizes as pipelines write them: a whole number of bytes (`8388608`) or a whole number with a
/// unit, binary (`KiB`, `MiB`, `GiB`) or decimal (`KB`, `MB`, `GB`), as `aws s3` and rclone
/// accept them. Units are case-sensitive so that `Mb` (megabits) is refused, not guessed.
public enum ByteSizeText {
    private static let units: [String: Int64] = [
        "B": 1, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000,
        "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
    ]

    /// The byte count, or nil for empty, negative, fractional, unknown-unit or overflowing text.
    /// Whitespace around the text and between number and unit is allowed.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let scale = unit.isEmpty ? 1 : units[unit] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }

    /// The largest unit that divides `bytes` exactly: "8MiB", "5GiB", "1000B".
    public static func format(_ bytes: Int64) -> String {
        for (unit, scale) in [("GiB", Int64(1) << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes != 0 && bytes % scale == 0 {
            return "\(bytes / scale)\(unit)"
        }
        return "\(bytes)B"
    }
}
