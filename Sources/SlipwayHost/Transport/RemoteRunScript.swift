/// The program fed to the remote `/bin/sh -s` for one `run`: it exports the environment,
/// starts the caller's script in a new session (so in its own process group) with stdin from
/// /dev/null, announces that group on stdout before the script can print anything, and exits
/// with the script's status.
///
/// Why a side channel on stdout: killing the local ssh client does not stop the remote
/// command (without a pty sshd sends it no signal), so on timeout we must kill the group
/// remotely, and for that we need its id. The announcement is printed by the group leader
/// itself before it execs the script, so it is always the first, whole stdout line.
struct RemoteRunScript {
    /// `kill` operand for the remote work: `-PGID` for a process group, or a plain pid on a
    /// host without `setsid` (then only the script's shell can be signalled).
    typealias KillTarget = String

    let script: String
    let environment: [String: String]
    /// Unique per run, so the script's own output cannot be mistaken for the announcement.
    let marker: String
    /// With a trailer: once the script is over, the program asks for text on stdout and appends
    /// what stdin carries, up to its end, to this file (see `trailerRequest`, `logged`).
    let trailerPath: String?

    init(script: String, environment: [String: String], nonce: String, trailerPath: String? = nil) {
        self.script = script
        self.environment = environment
        self.marker = "slipway-remote-run-\(nonce)"
        self.trailerPath = trailerPath
    }

    /// Scripts longer than this go through a file on the host instead of an argument.
    static let largeScriptBytes = 64 * 1024

    /// Invalid variable names and NUL bytes are refused: neither can be expressed safely.
    func render() throws(InvalidInput) -> String {
        if script.utf8.contains(0) { throw InvalidInput(message: "the script contains a NUL byte") }
        var lines = ["slipway_script=\(Shell.quote(script))"]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard Shell.isValidVariableName(name) else {
                throw InvalidInput(message: "invalid environment variable name \(name.debugDescription)")
            }
            if value.utf8.contains(0) { throw InvalidInput(message: "environment variable \(name) contains a NUL byte") }
            lines.append("export \(name)=\(Shell.quote(value))")
        }
        // A script past Linux's 128 KiB limit on one argument (an install script of thousands
        // of files) cannot be `sh -c`'s argument: it goes to a private file that the builtin
        // printf writes, and the shell reads it from there.
        let large = script.utf8.count > Self.largeScriptBytes
        let start = large ? "exec /bin/sh \"$1\"" : "exec /bin/sh -c \"$1\""
        let argument = large ? "\"$slipway_file\"" : "\"$slipway_script\""
        if large {
            lines += [
                "slipway_file=\"${TMPDIR:-/tmp}/slipway-run.$$.\(marker.suffix(12))\"",
                "(umask 077; set -C; printf '%s' \"$slipway_script\" > \"$slipway_file\") || exit 1",
            ]
        }
        // `setsid` does not fork here: a background job of a non-interactive shell is not a
        // group leader, so `$!` is the new session's leader and `wait` waits for the script.
        lines += [
            "if command -v setsid >/dev/null 2>&1; then",
            "  setsid /bin/sh -c 'echo \"\(marker) -$$\"; \(start)' slipway-run \(argument) </dev/null &",
            "else",
            "  /bin/sh -c 'echo \"\(marker) $$\"; \(start)' slipway-run \(argument) </dev/null &",
            "fi",
            "wait \"$!\"",
            "slipway_status=$?",
        ]
        if large { lines.append("rm -f \"$slipway_file\"") }
        if let trailerPath {
            // The runner answers the request with the text and then closes stdin. The script
            // itself reads /dev/null, so nothing it started can take that text. The request goes
            // to both streams: stdout and stderr are two pipes, and the text must wait for the
            // script's last line on each.
            lines += [
                "printf '%s trailer\\n' \(Shell.quote(marker))",
                "printf '%s trailer\\n' \(Shell.quote(marker)) >&2",
                Shell.makeParentFolder(of: trailerPath) + " 2>/dev/null",
                "cat >> \(Shell.quote(trailerPath)); printf '%s logged %s\\n' \(Shell.quote(marker)) \"$?\"",
            ]
        }
        // The script is over: say so, because the ssh client cannot tell while a process the
        // script left behind (a daemon) still holds the session's output open.
        lines.append("printf '%s exit %s\\n' \(Shell.quote(marker)) \"$slipway_status\"")
        lines.append("exit \"$slipway_status\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The script's exit status if `line` ends with this run's closing line, and the script's
    /// own output before it (a last line the script left without its newline).
    func closing(in line: String) -> (before: Substring, status: Int32)? {
        guard let range = line.range(of: marker + " exit "), let status = Int32(line[range.upperBound...]) else { return nil }
        return (line[..<range.lowerBound], status)
    }

    /// The script's output before this run's trailer request, if `line` ends with it.
    func trailerRequest(in line: String) -> Substring? {
        guard trailerPath != nil, line.hasSuffix(marker + " trailer") else { return nil }
        return line.dropLast(marker.count + " trailer".count)
    }

    /// The status of the trailer's append if `line` reports it.
    func logged(in line: String) -> Int32? {
        guard trailerPath != nil, line.hasPrefix(marker + " logged ") else { return nil }
        return Int32(line.dropFirst(marker.count + " logged ".count))
    }

    /// The kill target if `line` is this run's announcement.
    func killTarget(inAnnouncement line: String) -> KillTarget? {
        let prefix = marker + " "
        guard line.hasPrefix(prefix) else { return nil }
        let target = line.dropFirst(prefix.count)
        let digits = target.hasPrefix("-") ? target.dropFirst() : target
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return String(target)
    }

    /// Remote command (for the login shell) that sends TERM to `target`, waits up to
    /// `graceSeconds` for it to go, then sends KILL. `sleep 1` steps: fractional sleep is not
    /// POSIX.
    static func killCommand(target: KillTarget, graceSeconds: Int) -> String {
        let program = """
            t=$1; g=$2
            kill -s TERM -- "$t" 2>/dev/null || exit 0
            i=0
            while kill -s 0 -- "$t" 2>/dev/null && [ "$i" -lt "$g" ]; do sleep 1; i=$((i+1)); done
            kill -s KILL -- "$t" 2>/dev/null
            exit 0
            """
        return "/bin/sh -c \(Shell.quote(program)) slipway-kill \(Shell.quote(target)) \(graceSeconds)"
    }

    struct InvalidInput: Error {
        let message: String
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
