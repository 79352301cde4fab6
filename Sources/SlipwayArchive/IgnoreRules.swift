/// `.slipwayignore` rules in gitignore syntax: `#` comments, blank lines, `!` negation,
/// a trailing `/` for directories only, a leading or inner `/` anchoring the pattern to the
/// root, patterns without a slash matching a base name at any depth, `**` segments, and `\`
/// escapes (`\#`, `\!`, `\ ` for a trailing space). The last matching rule wins. As in git, a
/// file inside an ignored directory cannot be re-included: the walker never enters it.
public struct IgnoreRules: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public let pattern: GlobPattern
        public let negated: Bool
        public let directoryOnly: Bool
        /// Anchored rules match the whole relative path; unanchored ones match the base name.
        public let anchored: Bool
    }

    public let rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    /// Parses the text of a gitignore-style file.
    public init(parsing text: String) {
        var rules: [Rule] = []
        // isNewline also splits "\r\n", which Swift treats as one Character.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if let rule = Self.parseLine(String(rawLine)) { rules.append(rule) }
        }
        self.rules = rules
    }

    /// Whether `path` (relative to the root, `/`-separated) is ignored.
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        var ignored = false
        // Once per path, not per rule: this runs for every entry of a tree of any size.
        let baseName = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[path.utf8.index(after: $0)...]) } ?? path
        for rule in rules where !(rule.directoryOnly && !isDirectory) {
            let matched = rule.anchored ? rule.pattern.matches(path) : rule.pattern.matchesSegment(baseName)
            if matched { ignored = !rule.negated }
        }
        return ignored
    }

    private static func parseLine(_ rawLine: String) -> Rule? {
        var line = rawLine
        line = trimUnescapedTrailingSpaces(line)
        if line.isEmpty || line.hasPrefix("#") { return nil }

        var negated = false
        if line.hasPrefix("!") {
            negated = true
            line.removeFirst()
        } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
            line.removeFirst()
        }

        var directoryOnly = false
        while line.hasSuffix("/") {
            directoryOnly = true
            line.removeLast()
        }
        var anchored = line.contains("/")
        while line.hasPrefix("/") {
            anchored = true
            line.removeFirst()
        }
        if line.isEmpty { return nil }
        return Rule(pattern: GlobPattern(line), negated: negated,
                    directoryOnly: directoryOnly, anchored: anchored)
    }

    /// gitignore drops trailing spaces unless the last one is escaped with a backslash.
    private static func trimUnescapedTrailingSpaces(_ line: String) -> String {
        var bytes = Array(line.utf8)
        while bytes.last == UInt8(ascii: " ") {
            let escaped = bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: "\\")
            if escaped {
                bytes.remove(at: bytes.count - 2)
                break
            }
            bytes.removeLast()
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
