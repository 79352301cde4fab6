/// Remote command (for the login shell) that receives a file on stdin: it writes to a
/// temporary name beside the destination, checks the byte count, then renames, so a broken
/// transfer never leaves a truncated file under the real name.
///
/// With `programLines`, stdin first carries a program of that many lines (read with the `read`
/// builtin, which never reads past a line end, so the file's bytes stay on stdin for `cat`),
/// and the program runs once the file is in place: one ssh client for both, and the program,
/// which may hold secret environment values, never appears on a command line.
enum RemoteUploadCommand {
    static func command(destination: String, expectedSize: UInt64, programLines: Int? = nil) -> String {
        let loader = programLines == nil ? "" : """
            p=; n=0
            while [ "$n" -lt "$3" ]; do IFS= read -r l || exit 1; p="$p$l
            "; n=$((n+1)); done

            """
        let program = loader + """
            dest=$1; expected=$2
            mkdir -p -- "$(dirname -- "$dest")" || exit 1
            tmp="$dest.slipway-upload.$$"
            trap 'rm -f -- "$tmp"' EXIT
            cat >"$tmp" || exit 1
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
}
