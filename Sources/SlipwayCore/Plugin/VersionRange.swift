/// A version requirement in the npm/Cargo style a pipeline pins a plugin with:
/// `>=1.2.0 <2.0.0`, `^1.2.0`, `~1.2.3`, `1.2.3`, `1.x`, `1.2`, `*`, and `a || b` alternatives.
///
/// Pre-release versions only satisfy a range that names a pre-release of the same
/// major.minor.patch (npm's rule), so `^1.0` never picks up `2.0.0-beta` or `1.3.0-rc.1` by accident.
public struct VersionRange: Sendable, Equatable, CustomStringConvertible, LosslessStringConvertible {
    /// One bound of a comparator set.
    public struct Comparator: Sendable, Equatable {
        public enum Operation: String, Sendable { case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "=" }
        public var operation: Operation
        public var version: SemanticVersion

        func matches(_ candidate: SemanticVersion) -> Bool {
            switch operation {
            case .less: candidate < version
            case .lessOrEqual: candidate <= version
            case .greater: candidate > version
            case .greaterOrEqual: candidate >= version
            case .equal: candidate == version
            }
        }
    }

    /// Alternatives (`||`), each a conjunction of comparators. An empty conjunction matches any release.
    public private(set) var alternatives: [[Comparator]]
    /// The text as written, for messages.
    public let description: String

    public init?(_ text: String) {
        let trimmed = Self.trimmed(text)
        guard !trimmed.isEmpty else { return nil }
        var alternatives: [[Comparator]] = []
        for alternative in Self.alternativeTexts(trimmed) {
            let words = alternative.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { return nil }
            var set: [Comparator] = []
            for word in Self.joiningOperators(words) {
                guard let comparators = Self.comparators(for: word) else { return nil }
                set += comparators
            }
            alternatives.append(set)
        }
        self.alternatives = alternatives
        self.description = trimmed
    }

    public func contains(_ version: SemanticVersion) -> Bool {
        alternatives.contains { set in
            guard set.allSatisfy({ $0.matches(version) }) else { return false }
            guard version.isPrerelease else { return true }
            return set.contains { bound in
                bound.version.isPrerelease && bound.version.major == version.major
                    && bound.version.minor == version.minor && bound.version.patch == version.patch
            }
        }
    }

    // MARK: Parsing

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Splits on `||`; an empty alternative (`1.x ||`) stays empty and then fails to parse.
    private static func alternativeTexts(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var characters = text[...]
        while let first = characters.first {
            if characters.hasPrefix("||") {
                parts.append(current)
                current = ""
                characters = characters.dropFirst(2)
            } else {
                current.append(first)
                characters = characters.dropFirst()
            }
        }
        parts.append(current)
        return parts
    }

    /// `>= 1.2.0` written with a space is one comparator.
    private static func joiningOperators(_ words: [String]) -> [String] {
        var result: [String] = []
        var pending = ""
        for word in words {
            if ["<", "<=", ">", ">=", "=", "^", "~"].contains(word) { pending += word; continue }
            result.append(pending + word)
            pending = ""
        }
        if !pending.isEmpty { result.append(pending) }
        return result
    }

    /// A version with some parts possibly missing or wildcards (`1`, `1.2`, `1.x`, `*`).
    private struct Partial {
        var major: Int?
        var minor: Int?
        var patch: Int?
        var prerelease: [String] = []

        init?(_ text: String) {
            var rest = Substring(text)
            if rest.hasPrefix("v") { rest = rest.dropFirst() }
            if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
            if let dash = rest.firstIndex(of: "-") {
                prerelease = rest[rest.index(after: dash)...].split(separator: ".").map(String.init)
                guard !prerelease.isEmpty else { return nil }
                rest = rest[..<dash]
            }
            let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count) else { return nil }
            var numbers: [Int?] = []
            for part in parts {
                if ["x", "X", "*"].contains(part) { numbers.append(nil); continue }
                guard let number = SemanticVersion.number(part) else { return nil }
                // A number after a wildcard (`1.x.3`) is meaningless.
                guard numbers.allSatisfy({ $0 != nil }) else { return nil }
                numbers.append(number)
            }
            major = numbers[0]
            minor = numbers.count > 1 ? numbers[1] : nil
            patch = numbers.count > 2 ? numbers[2] : nil
            // A pre-release tag needs a full version to attach to.
            guard prerelease.isEmpty || patch != nil else { return nil }
        }

        var lowest: SemanticVersion { SemanticVersion(major ?? 0, minor ?? 0, patch ?? 0, prerelease: prerelease) }
    }

    private static func comparators(for word: String) -> [Comparator]? {
        if word == "*" || word == "x" || word == "X" { return [] }
        for operation in ["<=", ">=", "<", ">", "="] where word.hasPrefix(operation) {
            guard let partial = Partial(String(word.dropFirst(operation.count))) else { return nil }
            return bounded(Comparator.Operation(rawValue: operation)!, partial)
        }
        if word.hasPrefix("^") { return Partial(String(word.dropFirst())).map(caret) }
        if word.hasPrefix("~") {
            var body = word.dropFirst()
            if body.hasPrefix(">") { body = body.dropFirst() }  // `~>` (Ruby style) means the same
            return Partial(String(body)).map(tilde)
        }
        return Partial(word).map { bounded(.equal, $0) }
    }

    /// `=1.2` means 1.2.x; `>1.2` means ≥1.3.0; `<=1.2` means <1.3.0.
    private static func bounded(_ operation: Comparator.Operation, _ partial: Partial) -> [Comparator] {
        guard let major = partial.major else {
            // `>=*` and `=*` match everything; `<*` and `>*` match nothing.
            switch operation {
            case .less, .greater: return [Comparator(operation: .less, version: SemanticVersion(0, 0, 0, prerelease: ["0"]))]
            default: return []
            }
        }
        let low = partial.lowest
        guard partial.patch != nil else {
            let nextUp = partial.minor.map { SemanticVersion(major, $0 + 1, 0) } ?? SemanticVersion(major + 1, 0, 0)
            switch operation {
            case .equal: return [Comparator(operation: .greaterOrEqual, version: low), Comparator(operation: .less, version: nextUp)]
            case .greaterOrEqual: return [Comparator(operation: .greaterOrEqual, version: low)]
            case .greater: return [Comparator(operation: .greaterOrEqual, version: nextUp)]
            case .less: return [Comparator(operation: .less, version: low)]
            case .lessOrEqual: return [Comparator(operation: .less, version: nextUp)]
            }
        }
        return [Comparator(operation: operation, version: low)]
    }

    /// `^`: changes that do not modify the left-most non-zero part.
    private static func caret(_ partial: Partial) -> [Comparator] {
        guard let major = partial.major else { return [] }
        let low = partial.lowest
        let upper: SemanticVersion
        if major > 0 || partial.minor == nil {
            upper = SemanticVersion(major + 1, 0, 0)
        } else if let minor = partial.minor, minor > 0 || partial.patch == nil {
            upper = SemanticVersion(0, minor + 1, 0)
        } else {
            upper = SemanticVersion(0, 0, (partial.patch ?? 0) + 1)
        }
        return [Comparator(operation: .greaterOrEqual, version: low), Comparator(operation: .less, version: upper)]
    }

    /// `~`: patch-level changes when a minor is given, minor-level changes otherwise.
    private static func tilde(_ partial: Partial) -> [Comparator] {
        guard let major = partial.major else { return [] }
        let upper = partial.minor.map { SemanticVersion(major, $0 + 1, 0) } ?? SemanticVersion(major + 1, 0, 0)
        return [Comparator(operation: .greaterOrEqual, version: partial.lowest), Comparator(operation: .less, version: upper)]
    }
}

