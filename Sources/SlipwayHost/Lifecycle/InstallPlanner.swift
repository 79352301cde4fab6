import Foundation

/// CodeDeploy's Install step as one shell script: remove what the previous install placed
/// (reverse order, folders only when empty), check and copy the new files honouring
/// file_exists_behavior, apply permissions, record the last successful install.
/// Each destination is appended to the new cleanup manifest before it is created, so a
/// half-failed install is still removed by the next one.
struct InstallPlanner {
    let bundle: LocalBundle
    let appSpec: AppSpec
    let layout: HostLayout
    let groupId: String
    let deploymentId: String
    let previousManifest: [String]
    let fileExistsBehavior: FileExistsBehavior

    /// One placement, by its appspec (absolute) path.
    enum Operation: Equatable {
        case mkdir(path: String, fromBundle: Bool)
        case copy(source: String, path: String)
    }

    func script() throws(PlanError) -> String {
        let operations = try self.operations()
        let assignments = try PermissionMatcher(rules: appSpec.permissions).assign(operations)
        let manifest = layout.cleanupManifest(groupId)
        let archive = layout.archiveDirectory(groupId, deploymentId)
        var lines = [
            "set -e",
            "M=\(Shell.quote(manifest))",
            "exists() { [ -e \"$1\" ] || [ -L \"$1\" ]; }",
        ] + Self.batchFunctions
        // 1. Undo the previous install, newest placement first.
        // Files first (one `rm` per chunk), then folders, children before parents (one `rmdir`
        // per chunk; non-empty ones stay): the same result as path by path, with a few
        // processes instead of one per path.
        let previous = previousManifest.reversed().map(Shell.quote)
        lines += Self.chunked("rmfiles", previous)
        lines += Self.chunked("rmdirs", previous)
        // A new, empty manifest (builtins only: this runs on every host).
        lines.append("[ -d \(Shell.quote(layout.instructionsDirectory)) ] || mkdir -p \(Shell.quote(layout.instructionsDirectory))")
        lines.append(": > \"$M\"")
        // 2. DISALLOW: any file still there was not placed by the previous install.
        if fileExistsBehavior == .disallow {
            for case .copy(_, let path) in operations {
                let target = Shell.quote(layout.hostPath(path))
                lines.append("if exists \(target); then echo \(Shell.quote("Install: a specified file already exists at this location: \(path) (set file_exists_behavior to OVERWRITE or RETAIN to deploy over it)")) >&2; exit 1; fi")
            }
        }
        // 3. Create the folders (parents first, one `mkdir` per chunk), then copy the files,
        // one `cp` per destination folder and chunk: a revision of many files must not cost a
        // process per file. Each path is in the manifest before it is created.
        var folders: [String] = []
        var copies: [(folder: String, sources: [String])] = []
        var folderIndex: [String: Int] = [:]
        for operation in operations {
            switch operation {
            case .mkdir(let path, _):
                folders.append(Shell.quote(layout.hostPath(path)))
            case .copy(let source, let path):
                let target = layout.hostPath(path)
                let folder = (target as NSString).deletingLastPathComponent
                // Batched copies keep the source's name; a renamed file (never planned today) is copied alone.
                guard (target as NSString).lastPathComponent == (source as NSString).lastPathComponent else {
                    lines.append("cpas \(fileExistsBehavior == .retain ? 1 : 0) \(Shell.quote(target)) \(Shell.quote(archive + "/" + source))")
                    continue
                }
                if let index = folderIndex[folder] {
                    copies[index].sources.append(Shell.quote(archive + "/" + source))
                } else {
                    folderIndex[folder] = copies.count
                    copies.append((folder, [Shell.quote(archive + "/" + source)]))
                }
            }
        }
        lines += Self.chunked("mkdirs", folders)
        for copy in copies {
            lines += Self.chunked("cpinto \(fileExistsBehavior == .retain ? 1 : 0) \(Shell.quote(copy.folder))", copy.sources)
        }
        // 4. Permissions: chmod before chown, as the agent orders them.
        for (path, rule) in assignments {
            let target = Shell.quote(layout.hostPath(path))
            if let mode = rule.mode { lines.append("chmod \(mode) \(target)") }
            if rule.owner != nil || rule.group != nil {
                let owner = (rule.owner ?? "") + (rule.group.map { ":" + $0 } ?? "")
                lines.append("chown -h \(Shell.quote(owner)) \(target)")
            }
        }
        // 5. The agent records the last successful install at the end of Install (not after
        // ValidateService): the next ApplicationStop runs this revision's script.
        let record = layout.lastSuccessfulInstall(groupId)
        lines.append("printf '%s' \(Shell.quote(layout.deploymentDirectory(groupId, deploymentId))) > \(Shell.quote(record + ".tmp"))")
        lines.append("mv \(Shell.quote(record + ".tmp")) \(Shell.quote(record))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Shell functions that act on many paths with one process each. `for p; do` expands its
    /// list once, so appending to "$@" inside the loop collects the paths to act on; `shift`
    /// then drops the arguments that came in.
    static let batchFunctions = [
        // Regular files and links among the arguments, removed by one rm.
        "rmfiles() { n=$#; for p; do if [ -L \"$p\" ] || [ -f \"$p\" ]; then set -- \"$@\" \"$p\"; fi; done; shift $n; [ $# -eq 0 ] || rm -f -- \"$@\"; }",
        // Folders among the arguments, in order (children listed before parents); rmdir goes on past non-empty ones.
        "rmdirs() { n=$#; for p; do if [ ! -L \"$p\" ] && [ -d \"$p\" ]; then set -- \"$@\" \"$p\"; fi; done; shift $n; [ $# -eq 0 ] || rmdir -- \"$@\" 2>/dev/null || true; }",
        // Missing folders, recorded, then created in order (parents first).
        "mkdirs() { n=$#; for p; do if [ ! -d \"$p\" ]; then printf '%s\\n' \"$p\" >> \"$M\"; set -- \"$@\" \"$p\"; fi; done; shift $n; [ $# -eq 0 ] || mkdir -- \"$@\"; }",
        // cpinto RETAIN FOLDER SOURCE...: the files keep their names in FOLDER. Each target is
        // recorded, a file or link in its way removed (with RETAIN=1 the source is skipped
        // instead), then one cp for all.
        "cpinto() { r=$1; d=$2; shift 2; n=$#; for s; do f=$d/${s##*/}; "
            + "if [ \"$r\" = 1 ] && exists \"$f\"; then continue; fi; printf '%s\\n' \"$f\" >> \"$M\"; "
            + "if [ -L \"$f\" ] || [ -f \"$f\" ]; then rm -f -- \"$f\"; fi; set -- \"$@\" \"$s\"; done; shift $n; "
            + "[ $# -eq 0 ] || cp -pP -- \"$@\" \"$d/\"; }",
        // cpas RETAIN TARGET SOURCE: one file under another name.
        "cpas() { if [ \"$1\" = 1 ] && exists \"$2\"; then return 0; fi; printf '%s\\n' \"$2\" >> \"$M\"; "
            + "if [ -L \"$2\" ] || [ -f \"$2\" ]; then rm -f -- \"$2\"; fi; cp -pP -- \"$3\" \"$2\"; }",
    ]

    /// `command` applied to `arguments` in chunks, so no command line grows past the system's limit.
    static func chunked(_ command: String, _ arguments: [String], size: Int = 200) -> [String] {
        stride(from: 0, to: arguments.count, by: size).map { start in
            command + " " + arguments[start..<min(start + size, arguments.count)].joined(separator: " ")
        }
    }

    /// The placements in order: missing ancestors of each destination, then the source's files
    /// and folders. Paths are appspec (absolute) paths; sources are relative to the bundle root.
    func operations() throws(PlanError) -> [Operation] {
        var operations: [Operation] = []
        var directories: Set<String> = []
        var copied: [String: String] = [:]
        let manager = FileManager.default

        func ensureDirectory(_ path: String, fromBundle: Bool) throws(PlanError) {
            if let source = copied[path] {
                throw PlanError("files: \(path) is both a copy of \(source) and a directory")
            }
            guard !directories.contains(path) else { return }
            directories.insert(path)
            operations.append(.mkdir(path: path, fromBundle: fromBundle))
        }
        func ensureAncestors(_ path: String) throws(PlanError) {
            var current = ""
            for component in path.split(separator: "/") {
                current += "/" + component
                try ensureDirectory(current, fromBundle: false)
            }
        }
        func copy(_ source: String, to path: String) throws(PlanError) {
            if let other = copied[path] {
                throw PlanError("files: \(source) and \(other) are both copied to \(path)")
            }
            if directories.contains(path) {
                throw PlanError("files: \(source) would be copied onto \(path), which is also a directory")
            }
            copied[path] = source
            operations.append(.copy(source: source, path: path))
        }

        for mapping in appSpec.files {
            let relative = mapping.source.split(separator: "/").joined(separator: "/")
            let local = relative.isEmpty ? bundle.directory : bundle.directory + "/" + relative
            let destination = "/" + mapping.destination.split(separator: "/").joined(separator: "/")
            var isDirectory: ObjCBool = false
            let isLink = (try? manager.destinationOfSymbolicLink(atPath: local)) != nil
            guard isLink || manager.fileExists(atPath: local, isDirectory: &isDirectory) else {
                throw PlanError("files: source \(mapping.source) does not exist in the revision")
            }
            try ensureAncestors(destination)
            if isLink || !isDirectory.boolValue {
                // A file goes into the destination folder under its own name.
                let name = (relative as NSString).lastPathComponent
                try copy(relative, to: destination == "/" ? "/" + name : destination + "/" + name)
                continue
            }
            // A folder's contents go into the destination, recursively.
            for entry in try walk(local) {
                let source = relative.isEmpty ? entry.path : relative + "/" + entry.path
                let target = (destination == "/" ? "" : destination) + "/" + entry.path
                if entry.isDirectory { try ensureDirectory(target, fromBundle: true) } else { try copy(source, to: target) }
            }
        }
        return operations
    }

    /// Every entry under `root`, parents before children, sorted for a stable plan. Symlinks are
    /// listed as files (copied as links), never followed.
    private func walk(_ root: String) throws(PlanError) -> [(path: String, isDirectory: Bool)] {
        var result: [(path: String, isDirectory: Bool)] = []
        func visit(_ relative: String) throws(PlanError) {
            let folder = relative.isEmpty ? root : root + "/" + relative
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted() } catch {
                throw PlanError("cannot list \(folder): \(error.localizedDescription)")
            }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + path
                var isDirectory: ObjCBool = false
                let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil
                if !isLink, FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue {
                    result.append((path, true))
                    try visit(path)
                } else {
                    result.append((path, false))
                }
            }
        }
        try visit("")
        return result
    }
}
