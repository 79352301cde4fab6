/// POSIX shell quoting for text we hand to a remote shell. Single quotes are the only quoting
/// in which the shell interprets nothing, so every value is wrapped in them and an embedded
/// `'` becomes `'\''` (close, escaped quote, reopen).
enum ShellQuoting {
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A name `export` accepts. Checked rather than quoted: a name cannot be quoted, and one
    /// like `X=1; rm -rf /; Y` must never reach the remote shell.
    static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
