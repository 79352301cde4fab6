/// Remote command (for the login shell) that receives a file on stdin: it writes to a
/// temporary name beside the destination, checks the byte count, then renames, so a broken
/// transfer never leaves a truncated file under the real name.
enum RemoteUploadCommand {
    static func command(destination: String, expectedSize: UInt64) -> String {
        let program = """
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
            """
        return "/bin/sh -c \(Shell.quote(program)) slipway-upload \(Shell.quote(destination)) \(expectedSize)"
    }
}
