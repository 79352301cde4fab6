/// How events are shown to the user.
public enum OutputMode: String, Sendable, Equatable, CaseIterable {
    case terminal, plain, json, githubActions

    /// `--json` wins; then GitHub Actions (`GITHUB_ACTIONS=true`, which is not a TTY but
    /// understands its own commands); then plain when colors are unwanted or impossible
    /// (`NO_COLOR` set to anything, per no-color.org; stdout not a terminal; `TERM=dumb`).
    public static func detect(json: Bool, environment: [String: String], stdoutIsTerminal: Bool) -> OutputMode {
        if json { return .json }
        if environment["GITHUB_ACTIONS"] == "true" { return .githubActions }
        if environment["NO_COLOR"] != nil || !stdoutIsTerminal || environment["TERM"] == "dumb" { return .plain }
        return .terminal
    }
}

/// The renderer for a mode. Wrap it in a `MaskingSink` before emitting anything.
public func makeRenderer(_ mode: OutputMode, output: any TextOutput, terminalColumns: Int = 80) -> any EventSink {
    switch mode {
    case .terminal: TerminalRenderer(output: output, columns: terminalColumns)
    case .plain: PlainRenderer(output: output)
    case .json: JSONLinesRenderer(output: output)
    case .githubActions: GitHubActionsRenderer(output: output)
    }
}
