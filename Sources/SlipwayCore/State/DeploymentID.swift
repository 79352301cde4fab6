/// A deployment's name, CodeDeploy style: `d-` and nine uppercase letters or digits
/// (`d-AB12CD34E`). 36^9 ≈ 10^14 values, so random ids do not collide in practice; the by-id
/// index is still created with `.ifAbsent`, so a collision would fail loudly instead of mixing
/// two deployments.
public struct DeploymentID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Strict: exactly `d-` + nine of `A-Z0-9` (what Slipway writes). Codable goes through here,
    /// so a malformed id in a stored document is a decoding error.
    public init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Lenient, for ids typed by people (`slipway resume d-ab12cd34e`): surrounding whitespace
    /// and lowercase letters are accepted and normalised.
    public static func parse(_ text: String) throws(StateError) -> DeploymentID {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let normalised = trimmed.count > 2 ? "d-" + trimmed.dropFirst(2).uppercased() : trimmed
        guard trimmed.lowercased().hasPrefix("d-"), let id = DeploymentID(rawValue: normalised) else {
            throw .invalidDeploymentID(text)
        }
        return id
    }

    public static func random() -> DeploymentID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> DeploymentID {
        let suffix = (0..<suffixLength).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return DeploymentID(unchecked: "d-" + String(suffix))
    }

    public var description: String { rawValue }

    public static func < (lhs: DeploymentID, rhs: DeploymentID) -> Bool { lhs.rawValue < rhs.rawValue }

    static let suffixLength = 9
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    private static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 2 + suffixLength, bytes[0] == UInt8(ascii: "d"), bytes[1] == UInt8(ascii: "-") else {
            return false
        }
        return bytes.dropFirst(2).allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
