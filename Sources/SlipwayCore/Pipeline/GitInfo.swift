import Foundation

/// The commit a pipeline is run from, for `${{ git.sha }}` and revision metadata.
public enum GitInfo {
    /// HEAD of the repository holding `directory`, or nil when there is none (or git is missing).
    /// Reads `.git` directly rather than spawning git: it runs on every load.
    public static func headCommit(in directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let gitDir = url.appendingPathComponent(".git")
            if let sha = commit(gitDir: gitDir) { return sha }
            if FileManager.default.fileExists(atPath: gitDir.path) { return nil }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    private static func commit(gitDir: URL) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: gitDir.path, isDirectory: &isDirectory) else { return nil }
        var dir = gitDir
        if !isDirectory.boolValue {
            // A worktree or submodule: `.git` is a file saying "gitdir: <path>".
            guard let text = try? String(contentsOf: gitDir, encoding: .utf8), text.hasPrefix("gitdir:") else { return nil }
            let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            dir = target.hasPrefix("/") ? URL(fileURLWithPath: target) : gitDir.deletingLastPathComponent().appendingPathComponent(target)
        }
        guard let head = try? String(contentsOf: dir.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return isSHA(head) ? head : nil }
        let ref = String(head.dropFirst(5))
        for base in [dir, commonDir(of: dir)] {
            if let sha = try? String(contentsOf: base.appendingPathComponent(ref), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines), isSHA(sha) {
                return sha
            }
            if let packed = try? String(contentsOf: base.appendingPathComponent("packed-refs"), encoding: .utf8) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                    let sha = String(line.prefix { $0 != " " })
                    if isSHA(sha) { return sha }
                }
            }
        }
        return nil  // a branch with no commit yet
    }

    private static func commonDir(of dir: URL) -> URL {
        guard let text = try? String(contentsOf: dir.appendingPathComponent("commondir"), encoding: .utf8) else { return dir }
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : dir.appendingPathComponent(path).standardizedFileURL
    }

    private static func isSHA(_ text: String) -> Bool {
        text.count >= 40 && text.allSatisfy(\.isHexDigit)
    }
}
