/// Consecutive host commands sent to the host as one script, so a host's lifecycle costs a few
/// transport runs instead of one per command (each run is a shell, or an `ssh` client and a
/// remote session). The host still runs every command on its own, in order, each in a subshell
/// with its own environment; the first failure stops the rest, exactly as running them one by
/// one would.
///
/// Markers tell the runner where each command starts and ends: `<marker> begin N` on stdout
/// before command N, `<marker> end N STATUS` on stdout *and* stderr after it. Two pipes are
/// read independently, so stderr lines are attributed by the end marker on stderr itself. The
/// marker holds a per-batch nonce, so a script's own output cannot forge one.
struct CommandBatch {
    let commands: [HostCommand]
    let marker: String

    init(commands: [HostCommand], nonce: String) {
        self.commands = commands
        self.marker = "@@slipway-batch-\(nonce)"
    }

    enum Marker: Equatable {
        case begin(Int)
        case end(Int, status: Int32)
    }

    /// The script for `/bin/sh`, and the environment to run it with. Values never appear in
    /// the script's text: a script can end up on a command line (visible to every user in `ps`),
    /// and a hook's environment may hold secrets. Each command's variables travel as
    /// `SLIPWAY_E<n>_<NAME>` in the run's environment; the script moves them into shell
    /// variables and unsets them, so a hook sees exactly its own environment. Invalid variable
    /// names are refused (a name cannot be quoted).
    func render(preamble: String = "") throws(PlanError) -> (script: String, environment: [String: String]) {
        var environment: [String: String] = [:]
        var moves = ""
        for (index, command) in commands.enumerated() {
            for (name, value) in command.environment.sorted(by: { $0.key < $1.key }) {
                guard Shell.isValidVariableName(name) else { throw PlanError("invalid environment variable name \(name.debugDescription)") }
                environment["SLIPWAY_E\(index)_\(name)"] = value
                moves += "slipway_e\(index)_\(name)=$SLIPWAY_E\(index)_\(name); unset SLIPWAY_E\(index)_\(name)\n"
            }
        }
        var text = preamble + moves + "m=\(Shell.quote(marker))\n"
        for (index, command) in commands.enumerated() {
            text += "printf '%s begin \(index)\\n' \"$m\"\n(\n"
            for name in command.environment.keys.sorted() {
                text += "export \(name)=\"$slipway_e\(index)_\(name)\"\n"
            }
            text += command.script
            if !command.script.hasSuffix("\n") { text += "\n" }
            // The subshell's status is the command's; `exec` in a hook replaces only the subshell.
            text += ")\ns=$?\nprintf '%s end \(index) %s\\n' \"$m\" \"$s\"\nprintf '%s end \(index) %s\\n' \"$m\" \"$s\" >&2\n"
            text += "[ \"$s\" -eq 0 ] || exit \"$s\"\n"
        }
        return (text + "exit 0\n", environment)
    }

    /// Splits a line into the output before a marker (a last line without its newline) and the
    /// marker; nil when the line holds none.
    func parse(_ line: String) -> (before: Substring, marker: Marker)? {
        guard let range = line.range(of: marker + " ") else { return nil }
        let fields = line[range.upperBound...].split(separator: " ")
        switch (fields.first, fields.count) {
        case ("begin", 2):
            guard let index = Int(fields[1]), commands.indices.contains(index) else { return nil }
            return (line[..<range.lowerBound], .begin(index))
        case ("end", 3):
            guard let index = Int(fields[1]), commands.indices.contains(index), let status = Int32(fields[2]) else { return nil }
            return (line[..<range.lowerBound], .end(index, status: status))
        default:
            return nil
        }
    }
}
