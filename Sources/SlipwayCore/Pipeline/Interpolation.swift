import SlipwayYAML

/// The values `${{ namespace.name }}` expressions read.
public struct InterpolationContext: Sendable {
    public enum Strictness: Sendable {
        /// `run` and `plan`: an unset environment variable is an error.
        case strict
        /// `validate`: the environment of the machine validating may not be the one that runs,
        /// so an unset variable is only a warning.
        case lenient
    }

    public var environment: [String: String]
    public var vars: [String: Variable]
    public var gitSHA: String?
    /// Nil until the revision is packaged: such expressions are kept as written and resolved
    /// when the stages run.
    public var revisionSHA256: String?
    public var strictness: Strictness

    public init(environment: [String: String], vars: [String: Variable] = [:], gitSHA: String? = nil,
                revisionSHA256: String? = nil, strictness: Strictness = .strict) {
        self.environment = environment
        self.vars = vars
        self.gitSHA = gitSHA
        self.revisionSHA256 = revisionSHA256
        self.strictness = strictness
    }
}

/// `${{ env.NAME }}`, `${{ vars.NAME }}`, `${{ git.sha }}`, `${{ revision.sha256 }}`.
public enum Interpolation {
    public static let namespaces = ["env", "vars", "git", "revision"]

    public struct Problem: Sendable, Equatable {
        public var message: String
        public var isWarning: Bool
    }

    /// Replaces every expression in `text`; problems are reported through `report` and leave
    /// the expression as written.
    public static func resolve(_ text: String, in context: InterpolationContext,
                               report: (Problem) -> Void) -> String {
        guard text.contains("${{") else { return text }
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                report(Problem(message: "unterminated expression: \"${{\" has no closing \"}}\"", isWarning: false))
                output += rest[open.lowerBound...]
                return output
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingSpaces
            let written = String(rest[open.lowerBound..<close.upperBound])
            output += value(of: expression, in: context, report: report) ?? written
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    private static func value(of expression: Substring, in context: InterpolationContext,
                              report: (Problem) -> Void) -> String? {
        let parts = expression.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty,
              parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            report(Problem(message: "\"${{ \(expression) }}\" is not an expression of the form namespace.name", isWarning: false))
            return nil
        }
        let (namespace, name) = (parts[0], parts[1])
        switch namespace {
        case "env":
            if let value = context.environment[name] { return value }
            let lenient = context.strictness == .lenient
            report(Problem(message: "environment variable \(name) is not set" + (lenient ? " here; it must be set when the pipeline runs" : ""),
                           isWarning: lenient))
            return nil
        case "vars":
            if let variable = context.vars[name] { return variable.value }
            report(Problem(message: "unknown variable \"\(name)\"\(Suggestion.hint(for: name, among: Array(context.vars.keys)))", isWarning: false))
            return nil
        case "git":
            guard name == "sha" else {
                report(Problem(message: "unknown git value \"\(name)\" (known: sha)", isWarning: false))
                return nil
            }
            if let sha = context.gitSHA { return sha }
            let lenient = context.strictness == .lenient
            report(Problem(message: "git.sha: the pipeline is not in a git repository with a commit", isWarning: lenient))
            return nil
        case "revision":
            guard name == "sha256" else {
                report(Problem(message: "unknown revision value \"\(name)\" (known: sha256)", isWarning: false))
                return nil
            }
            // Unknown before packaging: kept as written, resolved when the stages run.
            return context.revisionSHA256
        default:
            report(Problem(message: "unknown namespace \"\(namespace)\"\(Suggestion.hint(for: namespace, among: namespaces)) (known: \(namespaces.joined(separator: ", ")))",
                           isWarning: false))
            return nil
        }
    }

    /// Whether `text` reads the revision, which is only known once packaged.
    public static func readsRevision(_ text: String) -> Bool {
        var rest = Substring(text)
        while let open = rest.range(of: "${{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return false }
            if rest[open.upperBound..<close.lowerBound].trimmingSpaces.hasPrefix("revision.") { return true }
            rest = rest[close.upperBound...]
        }
        return false
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}
