import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayYAML
import SlipwayEvents

/// How events are shown; shared by every command that runs something.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON event per line instead of human-readable output.")
    var json = false

    /// The sink every event goes through: secrets masked first, then rendered for this terminal,
    /// a plain log, JSON lines or GitHub Actions.
    func makeSink(secrets: [String]) -> (sink: any EventSink, masker: SecretMasker) {
        let environment = ProcessInfo.processInfo.environment
        let mode = OutputMode.detect(json: json, environment: environment, stdoutIsTerminal: isatty(1) == 1)
        let masker = SecretMasker()
        for secret in secrets { masker.add(secret) }
        let columns = environment["COLUMNS"].flatMap(Int.init) ?? 100
        let renderer = makeRenderer(mode, output: FileHandleOutput.standardOutput, terminalColumns: columns)
        if let terminal = renderer as? TerminalRenderer { LiveRefresh.start(terminal) }
        return (MaskingSink(renderer, masker: masker), masker)
    }
}

/// Prints diagnostics to stderr, one per line, in the `file:line:col: path: message` form
/// editors and CI annotate; as `::error` lines too under GitHub Actions.
func report(_ diagnostics: [Diagnostic]) {
    let github = ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true"
    var text = ""
    for diagnostic in diagnostics {
        text += diagnostic.description + "\n"
        if github {
            let kind = diagnostic.severity == .error ? "error" : "warning"
            var properties = "file=\(diagnostic.file)"
            if let mark = diagnostic.mark { properties += ",line=\(mark.line),col=\(mark.column)" }
            text += "::\(kind) \(properties)::\(githubEscape(diagnostic.path.components.isEmpty ? diagnostic.message : "\(diagnostic.path): \(diagnostic.message)"))\n"
        }
    }
    FileHandle.standardError.write(Data(text.utf8))
}

func githubEscape(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%25")
        .replacingOccurrences(of: "\r", with: "%0D")
        .replacingOccurrences(of: "\n", with: "%0A")
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Redraws the terminal's status line once a second, so elapsed times move while a step is quiet.
enum LiveRefresh {
    static func start(_ renderer: TerminalRenderer) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { renderer.refresh() }
        timer.resume()
        timers.append(timer)
    }

    // Timers must stay alive for the whole run; only the main command starts one, once.
    nonisolated(unsafe) private static var timers: [DispatchSourceTimer] = []
}
