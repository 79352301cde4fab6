import Foundation

/// What `HostDeployment.readRecords` asks of a host: its cleanup manifest, its last successful
/// install (a deployment folder), the revision in this deployment's folder, and the last
/// install's revision and appspec. A script answers it on a remote host; on this machine the
/// same files are read in process, with the same sections line for line (tests compare both).
struct RecordsQuery {
    let manifest: String
    let lastInstall: String
    let folderRevision: String
    /// The deployment group's folder: once it holds `maxRevisions` entries or more, they are
    /// listed newest first (`ls -1t`), so this deployment's retention needs no `ls` of its own.
    let groupDirectory: String
    let maxRevisions: Int

    /// `show` prints a small file with builtins only (no `cat` process each). It reads byte by
    /// byte, so the manifest (one line per installed path) still goes through cat. A last line
    /// without its newline stays without.
    var script: String {
        let manifest = Shell.quote(manifest), last = Shell.quote(lastInstall)
        let revisionFile = HostDeployment.revisionFile
        return """
        show() { [ -f "$1" ] || return 0; l=; while IFS= read -r l; do printf '%s\\n' "$l"; done < "$1"; printf '%s' "$l"; }
        printf '%s\\n' '@@manifest'
        [ -f \(manifest) ] && cat \(manifest)
        printf '\\n%s\\n' '@@last'
        show \(last)
        printf '\\n%s\\n' '@@folder'
        show \(Shell.quote(folderRevision))
        d=; [ -f \(last) ] && IFS= read -r d < \(last) || true
        printf '\\n%s\\n' '@@revision'
        [ -n "$d" ] && show "$d/\(revisionFile)"
        printf '\\n%s\\n' '@@folders'
        if [ -d \(Shell.quote(groupDirectory)) ]; then (cd \(Shell.quote(groupDirectory)) && set -- * && [ "$#" -ge \(maxRevisions) ] && ls -1t) || true; fi
        printf '\\n%s\\n' '@@appspec'
        for f in appspec.yml appspec.yaml; do
          if [ -n "$d" ] && [ -f "$d/deployment-archive/$f" ]; then show "$d/deployment-archive/$f"; break; fi
        done
        exit 0
        """
    }

    /// The script's output lines, by section.
    func parse(_ lines: [String]) -> HostRecords {
        var sections: [String: [String]] = [:]
        var current = ""
        for line in lines {
            if HostRecords.sectionNames.contains(line) { current = line; continue }
            sections[current, default: []].append(line)
        }
        return HostRecords(sections: sections)
    }

    /// The script's output, produced in process: each file's text followed by the newline the
    /// next section's marker starts with, split into lines as the line reader splits them.
    func readInProcess() -> HostRecords {
        // `[ -f path ]`: a regular file, after following symlinks.
        func isFile(_ path: String) -> Bool {
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
        func text(_ path: String) -> String {
            guard isFile(path), let data = FileManager.default.contents(atPath: path) else { return "" }
            // The shell's `read` drops NUL bytes; the line reader would replace invalid UTF-8.
            return String(decoding: data.filter { $0 != 0 }, as: UTF8.self)
        }
        let lastText = text(lastInstall)
        let folder = lastText.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var appSpec = ""
        if !folder.isEmpty {
            for name in ["appspec.yml", "appspec.yaml"] where isFile("\(folder)/deployment-archive/\(name)") {
                appSpec = text("\(folder)/deployment-archive/\(name)")
                break
            }
        }
        let output = "@@manifest\n" + text(manifest) + "\n@@last\n" + lastText + "\n@@folder\n" + text(folderRevision)
            + "\n@@revision\n" + (folder.isEmpty ? "" : text("\(folder)/\(HostDeployment.revisionFile)"))
            + "\n@@folders\n" + newestFirst().map { $0 + "\n" }.joined()
            + "\n@@appspec\n" + appSpec
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A line reader reports no empty line after a final newline.
        if lines.last == "" { lines.removeLast() }
        return parse(lines)
    }

    /// `ls -1t` of the group folder when it holds `maxRevisions` entries or more (`*`: no dot
    /// files): newest modification first, equal times by name.
    private func newestFirst() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: groupDirectory) else { return [] }
        let visible = names.filter { !$0.hasPrefix(".") }
        guard visible.count >= maxRevisions else { return [] }
        func modified(_ name: String) -> (Int, Int) {
            var info = stat()
            guard lstat(groupDirectory + "/" + name, &info) == 0 else { return (0, 0) }
            return (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec))
        }
        return visible.map { ($0, modified($0)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map(\.0)
    }
}
