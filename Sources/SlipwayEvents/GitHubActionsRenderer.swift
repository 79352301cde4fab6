import Synchronization

/// Plain lines plus GitHub Actions workflow commands: each step's output folded into a
/// `::group::`, warnings and errors as `::warning`/`::error` annotations (shown on the file
/// and line when the event has a location).
public final class GitHubActionsRenderer: EventSink {
    private let output: any TextOutput
    /// The scope whose group is open. Groups cannot nest, so a step that starts while another
    /// step's group is open (parallel stages) is simply not grouped.
    private let openGroup = Mutex<String?>(nil)

    public init(output: any TextOutput) {
        self.output = output
    }

    public func emit(_ event: Event) {
        openGroup.withLock { openGroup in
            var text = ""
            switch event.kind {
            case .stepStarted where openGroup == nil:
                openGroup = event.scope ?? ""
                text = "::group::" + Self.escapeData(PlainFormat.line(event)) + "\n"
            case .stepFinished where openGroup != nil && openGroup == (event.scope ?? ""),
                 .runFinished where openGroup != nil:
                openGroup = nil
                text = "::endgroup::\n" + Self.neutralized(PlainFormat.line(event)) + "\n"
            case .warning, .error:
                text = Self.annotation(event) + "\n"
            default:
                // Output is text from build steps: it must not be able to issue workflow
                // commands ("::add-mask::", "::stop-commands::") of its own.
                text = Self.neutralized(PlainFormat.line(event)) + "\n"
            }
            output.write(text)
        }
    }

    static func annotation(_ event: Event) -> String {
        var properties: [String] = []
        if let location = event.location {
            properties.append("file=" + escapeProperty(location.file))
            if let line = location.line { properties.append("line=\(line)") }
            if let column = location.column { properties.append("col=\(column)") }
        }
        if let scope = event.scope { properties.append("title=" + escapeProperty(scope)) }
        let command = event.kind == .error ? "error" : "warning"
        let head = properties.isEmpty ? "::\(command)" : "::\(command) " + properties.joined(separator: ",")
        return head + "::" + escapeData(event.message)
    }

    /// GitHub's escaping for a command's message.
    public static func escapeData(_ text: String) -> String {
        text.replacingAll("%", with: "%25")
            .replacingAll("\r", with: "%0D")
            .replacingAll("\n", with: "%0A")
    }

    /// GitHub's escaping for a command's property values: the message escapes plus `:` and `,`.
    public static func escapeProperty(_ text: String) -> String {
        escapeData(text)
            .replacingAll(":", with: "%3A")
            .replacingAll(",", with: "%2C")
    }

    /// GitHub reads a command only at the start of a line. Scoped plain lines start with
    /// "[scope] ", but a message without scope, or the later lines of a multi-line message,
    /// could start with "::": those get a leading space.
    static func neutralized(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("::") ? " " + $0 : String($0) }
            .joined(separator: "\n")
    }
}

extension String {
    /// Literal, scalar-wise replacement. Foundation's `replacingOccurrences` compares by
    /// Character, so "\r" would not match inside a "\r\n" grapheme.
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var result = ""
        for scalar in unicodeScalars {
            if scalar == target { result += replacement } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }
}
