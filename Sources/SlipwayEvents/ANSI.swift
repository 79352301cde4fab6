/// The few ANSI escape sequences the terminal renderer uses.
enum ANSI {
    static let reset = "\u{1B}[0m"
    static let bold = "\u{1B}[1m"
    static let dim = "\u{1B}[2m"
    static let red = "\u{1B}[31m"
    static let green = "\u{1B}[32m"
    static let yellow = "\u{1B}[33m"
    static let cyan = "\u{1B}[36m"
    static let boldRed = "\u{1B}[1;31m"
    /// Carriage return + erase the whole line: where the status line was, before new output.
    static let clearLine = "\r\u{1B}[2K"

    static func paint(_ text: String, _ style: String) -> String {
        style + text + reset
    }
}
