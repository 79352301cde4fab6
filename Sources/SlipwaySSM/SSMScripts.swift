import SlipwayHost

/// The shell programs sent through AWS-RunShellScript. Hosts need a POSIX shell, tar, and one
/// of curl, wget or python3 to fetch a bundle.
enum SSMScripts {
    /// Exports `environment`, then runs `script` with /bin/sh so its exit status is the
    /// command's ResponseCode. The agent already runs each command in its own process and
    /// kills it on `executionTimeout` or CancelCommand, so no process-group bookkeeping here.
    static func run(_ script: String, environment: [String: String]) throws(SSMTransportError) -> String {
        if script.utf8.contains(0) { throw SSMTransportError("the script contains a NUL byte") }
        var lines: [String] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard Shell.isValidVariableName(name) else { throw SSMTransportError("invalid environment variable name \(name.debugDescription)") }
            if value.utf8.contains(0) { throw SSMTransportError("environment variable \(name) contains a NUL byte") }
            lines.append("export \(name)=\(Shell.quote(value))")
        }
        lines.append("exec /bin/sh -c \(Shell.quote(script)) slipway-ssm </dev/null")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Fetches `url` (a presigned S3 GET) to `destination`: into a temporary name beside it,
    /// checked for size (and SHA-256 when `sha256sum` exists), then renamed, so a broken
    /// download never leaves a truncated file under the real name.
    static func download(url: String, to destination: String, size: UInt64, sha256: String) -> String {
        """
        url=\(Shell.quote(url)); dest=\(Shell.quote(destination)); expected=\(size); digest=\(Shell.quote(sha256))
        mkdir -p -- "$(dirname -- "$dest")" || exit 1
        tmp="$dest.slipway-download.$$"
        trap 'rm -f -- "$tmp"' EXIT
        if command -v curl >/dev/null 2>&1; then
          curl -fsS --retry 3 -o "$tmp" "$url" || exit 1
        elif command -v wget >/dev/null 2>&1; then
          wget -q -O "$tmp" "$url" || exit 1
        elif command -v python3 >/dev/null 2>&1; then
          python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$url" "$tmp" || exit 1
        else
          echo "slipway: this host needs curl, wget or python3 to fetch the bundle" >&2; exit 127
        fi
        actual=$(wc -c <"$tmp" | tr -d ' ')
        if [ "$actual" != "$expected" ]; then echo "size mismatch: fetched $actual bytes, expected $expected" >&2; exit 1; fi
        if command -v sha256sum >/dev/null 2>&1; then
          got=$(sha256sum "$tmp" | cut -d ' ' -f 1)
          if [ "$got" != "$digest" ]; then echo "checksum mismatch: fetched $got, expected $digest" >&2; exit 1; fi
        fi
        mv -f -- "$tmp" "$dest" || exit 1
        trap - EXIT

        """
    }
}

public struct SSMTransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
