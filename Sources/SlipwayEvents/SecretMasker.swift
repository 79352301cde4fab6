import Synchronization

/// Replaces every occurrence of a registered secret with `***`.
///
/// Matching is on UTF-8 bytes and all matches of all secrets are found in the ORIGINAL text
/// before anything is replaced; overlapping matches are merged. So a secret contained in
/// another ("pass" in "password") and two secrets that merely overlap ("abcd" and "cdef" in
/// "abcdef") are both masked completely, which longest-first replacement alone cannot do for
/// the second case.
public final class SecretMasker: Sendable {
    public static let replacement = "***"

    private let secrets = Mutex<[[UInt8]]>([])

    public init(secrets: [String] = []) {
        for secret in secrets { add(secret) }
    }

    /// Registers a secret. Empty strings are ignored (they would match everywhere). A multi-line
    /// secret (a PEM key) also registers each non-empty line, because output is masked line by
    /// line and would otherwise never contain the whole secret.
    public func add(_ secret: String) {
        var candidates = [secret]
        if secret.contains(where: \.isNewline) {
            candidates += secret.split(whereSeparator: \.isNewline).map(String.init)
        }
        secrets.withLock { registered in
            for candidate in candidates where !candidate.isEmpty {
                let bytes = Array(candidate.utf8)
                if !registered.contains(bytes) { registered.append(bytes) }
            }
            // Longest first: when a long secret and a short one start at the same place the
            // long match is found first, and merging keeps the union.
            registered.sort { $0.count > $1.count }
        }
    }

    public func mask(_ text: String) -> String {
        let secrets = self.secrets.withLock { $0 }
        guard !secrets.isEmpty, !text.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var matches: [Range<Int>] = []
        for secret in secrets { matches += Self.occurrences(of: secret, in: bytes) }
        guard !matches.isEmpty else { return text }

        var masked: [UInt8] = []
        masked.reserveCapacity(bytes.count)
        var position = 0
        for range in Self.merged(matches) {
            masked += bytes[position..<range.lowerBound]
            masked += Self.replacement.utf8
            position = range.upperBound
        }
        masked += bytes[position...]
        return String(decoding: masked, as: UTF8.self)
    }

    private static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Range<Int>] {
        guard needle.count <= haystack.count, let first = needle.first else { return [] }
        var found: [Range<Int>] = []
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == first && haystack[start..<start + needle.count].elementsEqual(needle) {
                found.append(start..<start + needle.count)
            }
            start += 1
        }
        return found
    }

    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound < last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }
}
