/// Shell text building: every path and value that goes into a planned command is quoted here.
enum Shell {
    /// `'…'` with embedded single quotes escaped: safe for any byte string but NUL.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
