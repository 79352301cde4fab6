/// A glob matched against a slash-separated relative path, segment by segment:
/// `*` matches any run of characters inside one segment, `?` one character, `[a-z]` / `[!a-z]`
/// a character class, `\x` a literal `x`, and a whole segment `**` zero or more segments.
/// Matching works on UTF-8 bytes so it never depends on the locale.
public struct GlobPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let segments: [Segment]

    enum Token: Equatable {
        case literal(UInt8)
        case anyOne
        case anyRun
        case characterClass(ranges: [ClosedRange<UInt8>], negated: Bool)
    }

    enum Segment: Equatable {
        case globstar
        case tokens([Token])
    }

    public init(_ pattern: String) {
        description = pattern
        segments = pattern.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
            .map { bytes in
                bytes.elementsEqual("**".utf8) ? .globstar : .tokens(Self.tokenize(Array(bytes)))
            }
    }

    /// True when `path` (relative, `/`-separated, no leading slash) matches the whole pattern.
    public func matches(_ path: String) -> Bool {
        // Without `**` only paths of as many segments can match: counting them allocates
        // nothing, where splitting did, for every entry of a tree against every glob.
        if !segments.contains(.globstar), Self.segmentCount(path, upTo: segments.count + 1) != segments.count { return false }
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
        return Self.match(segments[...], parts[...])
    }

    /// Segments of `path`, counting stops at `limit`: a one-segment pattern such as `.git`
    /// reads a deep path only up to its second segment.
    private static func segmentCount(_ path: String, upTo limit: Int) -> Int {
        var count = 0
        var inSegment = false
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                inSegment = false
            } else if !inSegment {
                inSegment = true
                count += 1
                if count == limit { break }
            }
        }
        return count
    }

    /// True when a single path segment (a base name) matches a pattern that has one segment.
    func matchesSegment(_ name: String) -> Bool {
        Self.match(segments[...], [Array(name.utf8)][...])
    }

    private static func match(_ pattern: ArraySlice<Segment>, _ path: ArraySlice<[UInt8]>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        switch first {
        case .globstar:
            // `**` swallows zero or more whole segments; try each split point.
            var rest = path
            while true {
                if match(pattern.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case .tokens(let tokens):
            guard let segment = path.first, matchSegment(tokens[...], segment[...]) else { return false }
            return match(pattern.dropFirst(), path.dropFirst())
        }
    }

    private static func matchSegment(_ tokens: ArraySlice<Token>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let token = tokens.first else { return text.isEmpty }
        switch token {
        case .anyRun:
            var rest = text
            while true {
                if matchSegment(tokens.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case .anyOne:
            guard !text.isEmpty else { return false }
            return matchSegment(tokens.dropFirst(), text.dropFirst())
        case .literal(let byte):
            guard text.first == byte else { return false }
            return matchSegment(tokens.dropFirst(), text.dropFirst())
        case .characterClass(let ranges, let negated):
            guard let byte = text.first else { return false }
            guard ranges.contains(where: { $0.contains(byte) }) != negated else { return false }
            return matchSegment(tokens.dropFirst(), text.dropFirst())
        }
    }

    private static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "*"):
                // Consecutive stars inside a segment mean the same as one.
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case UInt8(ascii: "?"):
                tokens.append(.anyOne)
                index += 1
            case UInt8(ascii: "\\") where index + 1 < bytes.count:
                tokens.append(.literal(bytes[index + 1]))
                index += 2
            case UInt8(ascii: "["):
                if let (token, next) = parseClass(bytes, from: index) {
                    tokens.append(token)
                    index = next
                } else {
                    // An unterminated `[` is an ordinary character, as in fnmatch.
                    tokens.append(.literal(byte))
                    index += 1
                }
            default:
                tokens.append(.literal(byte))
                index += 1
            }
        }
        return tokens
    }

    /// Parses `[...]` starting at `start`; returns nil when there is no closing bracket.
    private static func parseClass(_ bytes: [UInt8], from start: Int) -> (Token, Int)? {
        var index = start + 1
        var negated = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt8>] = []
        var first = true
        while index < bytes.count {
            var low = bytes[index]
            if low == UInt8(ascii: "]") && !first {
                return (.characterClass(ranges: ranges, negated: negated), index + 1)
            }
            first = false
            if low == UInt8(ascii: "\\"), index + 1 < bytes.count {
                index += 1
                low = bytes[index]
            }
            index += 1
            if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] != UInt8(ascii: "]") {
                var high = bytes[index + 1]
                index += 2
                if high == UInt8(ascii: "\\"), index < bytes.count {
                    high = bytes[index]
                    index += 1
                }
                if low <= high { ranges.append(low...high) }
            } else {
                ranges.append(low...low)
            }
        }
        return nil
    }
}
