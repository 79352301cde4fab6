/// Remote command (for the login shell) that receives a file on stdin: it writes to a
/// temporary name beside the destination, checks the byte count, then renames, so a broken
/// transfer never leaves a truncated file under the real name.
///
/// With `programLines`, stdin first carries a program of that many lines (read with the `read`
/// builtin, which never reads past a line end, so the file's bytes stay on stdin for `cat`),
/// and the program runs once the file is in place: one ssh client for both, and the program,
/// which may hold secret environment values, never appears on a command line.
///
/// With `exactSize`, the file is read with `head -c` instead of up to end of file, so stdin
/// stays open for the program (its trailer, see `RemoteRunScript`). No data follows the file
/// until the program asks for it, so a `head` that reads ahead in blocks cannot swallow any.
enum RemoteUploadCommand {
    static func command(destination: String, expectedSize: UInt64, programLines: Int? = nil, exactSize: Bool = false) -> String {
        let loader = programLines == nil ? "" : programLoader(countArgument: 3) + "\n"
        let receive = exactSize ? "head -c \"$expected\" >\"$tmp\" || exit 1" : "cat >\"$tmp\" || exit 1"
        let program = loader + """
            dest=$1; expected=$2
            mkdir -p -- "$(dirname -- "$dest")" || exit 1
            tmp="$dest.slipway-upload.$$"
            trap 'rm -f -- "$tmp"' EXIT
            \(receive)
            actual=$(wc -c <"$tmp" | tr -d ' ')
            if [ "$actual" != "$expected" ]; then
              echo "size mismatch: received $actual bytes, expected $expected" >&2
              exit 1
            fi
            mv -f -- "$tmp" "$dest" || exit 1
            trap - EXIT
            """ + (programLines == nil ? "" : "\neval \"$p\"")
        let lines = programLines.map { " \($0)" } ?? ""
        return "/bin/sh -c \(Shell.quote(program)) slipway-upload \(Shell.quote(destination)) \(expectedSize)\(lines)"
    }

    /// Reads a program of as many lines as positional argument `countArgument` says from stdin
    /// with the `read` builtin (which never reads past a line's end) into `p`.
    static func programLoader(countArgument: Int) -> String {
        """
        p=; n=0
        while [ "$n" -lt "$\(countArgument)" ]; do IFS= read -r l || exit 1; p="$p$l
        "; n=$((n+1)); done
        """
    }

    /// Remote command that reads a program of `programLines` lines from stdin and runs it; the
    /// rest of stdin stays for the program.
    static func runCommand(programLines: Int) -> String {
        "/bin/sh -c \(Shell.quote(programLoader(countArgument: 1) + "\neval \"$p\"")) slipway-run \(programLines)"
    }
}
