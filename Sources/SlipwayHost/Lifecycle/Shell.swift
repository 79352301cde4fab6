import Foundation

/// Shell text building: every path and value that goes into a planned command or a remote
/// shell is quoted here. Single quotes are the only quoting in which the shell interprets
/// nothing, so every value is wrapped in them and an embedded `'` becomes `'\''`.
public enum Shell {
    /// `'…'` with embedded single quotes escaped: safe for any byte string but NUL.
    public static func quote(_ text: String) -> String {
        // Bytewise, not Foundation's replacingOccurrences: whole scripts are quoted (a batch,
        // then the program around it), once per command of every host.
        let quote = UInt8(ascii: "'")
        var bytes: [UInt8] = [quote]
        bytes.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            if byte == quote { bytes += [quote, UInt8(ascii: "\\"), quote, quote] } else { bytes.append(byte) }
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A name `export` accepts. Checked rather than quoted: a name cannot be quoted, and one
    /// like `X=1; rm -rf /; Y` must never reach the remote shell.
    public static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// Appends the value of the environment variable `name` to the file at `path`, with builtins
    /// only (`[`, `printf`; `mkdir` when the folder is missing). The text travels in the
    /// environment, never in the script, so it cannot reach a command line. `quiet`: as the
    /// preamble of another command, it neither prints nor stops it; otherwise a failure exits 1.
    static func appendVariable(_ name: String, to path: String, quiet: Bool) -> String {
        if quiet {
            return "{ \(makeParentFolder(of: path)); printf '%s' \"$\(name)\" >> \(quote(path)); } 2>/dev/null\n"
        }
        return "\(makeParentFolder(of: path)) || exit 1\nprintf '%s' \"$\(name)\" >> \(quote(path))\n"
    }

    /// `[ -d FOLDER ] || mkdir -p FOLDER` for the folder of `path`: `mkdir` runs only when the
    /// folder is missing.
    static func makeParentFolder(of path: String) -> String {
        let folder = quote((path as NSString).deletingLastPathComponent)
        return "[ -d \(folder) ] || mkdir -p \(folder)"
    }
}
