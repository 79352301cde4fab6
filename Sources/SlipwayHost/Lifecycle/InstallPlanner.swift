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
            "rmpath() { if [ -L \"$1\" ] || [ -f \"$1\" ]; then rm -f \"$1\"; elif [ -d \"$1\" ]; then rmdir \"$1\" 2>/dev/null || true; fi; }",
            "exists() { [ -e \"$1\" ] || [ -L \"$1\" ]; }",
            "mk() { if [ ! -d \"$1\" ]; then printf '%s\\n' \"$1\" >> \"$M\"; mkdir \"$1\"; fi; }",
            "cpf() { printf '%s\\n' \"$2\" >> \"$M\"; if [ -L \"$2\" ] || [ -f \"$2\" ]; then rm -f \"$2\"; fi; cp -pP \"$1\" \"$2\"; }",
        ]
        // 1. Undo the previous install, newest placement first.
        for path in previousManifest.reversed() { lines.append("rmpath \(Shell.quote(path))") }
        lines.append("rm -f \"$M\"")
        lines.append("mkdir -p \(Shell.quote(layout.instructionsDirectory))")
        lines.append(": > \"$M\"")
        // 2. DISALLOW: any file still there was not placed by the previous install.
        if fileExistsBehavior == .disallow {
            for case .copy(_, let path) in operations {
                let target = Shell.quote(layout.hostPath(path))
                lines.append("if exists \(target); then echo \(Shell.quote("Install: a specified file already exists at this location: \(path) (set file_exists_behavior to OVERWRITE or RETAIN to deploy over it)")) >&2; exit 1; fi")
            }
        }
        // 3. Create and copy.
        for operation in operations {
            switch operation {
            case .mkdir(let path, _):
                lines.append("mk \(Shell.quote(layout.hostPath(path)))")
            case .copy(let source, let path):
                let from = Shell.quote(archive + "/" + source)
                let target = Shell.quote(layout.hostPath(path))
                if fileExistsBehavior == .retain {
                    lines.append("exists \(target) || cpf \(from) \(target)")
                } else {
                    lines.append("cpf \(from) \(target)")
                }
            }
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
