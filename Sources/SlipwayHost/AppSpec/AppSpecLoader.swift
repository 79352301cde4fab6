import SlipwayYAML

/// Reads an appspec.yml into an `AppSpec`, collecting every problem with its line:column.
///
/// CodeDeploy quietly accepts some things that are surely mistakes: unknown keys, a hook event
/// written at the top level instead of under `hooks:`, a key given twice. Those are warnings
/// here, so the deployment still behaves as CodeDeploy's would but the author hears about it.
public enum AppSpecLoader {
    public struct Result: Sendable {
        /// Nil when there are errors.
        public var appSpec: AppSpec?
        public var diagnostics: [Diagnostic]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    }

    static let topLevelKeys = ["version", "os", "files", "permissions", "hooks", "file_exists_behavior"]
    static let permissionKeys = ["object", "pattern", "except", "owner", "group", "mode", "acls", "context", "type"]
    static let hookKeys = ["location", "timeout", "runas", "sudo"]

    public static func load(text: String, file: String) -> Result {
        load(bytes: Array(text.utf8), file: file)
    }

    public static func load(bytes: [UInt8], file: String) -> Result {
        let context = DecodeContext(file: file)
        guard let root = context.parse(bytes: bytes, duplicateKeys: .warning) else {
            return Result(appSpec: nil, diagnostics: context.diagnostics)
        }
        let spec = decode(root, context)
        return Result(appSpec: context.hasErrors ? nil : spec, diagnostics: context.diagnostics)
    }

    /// A reader that warns (instead of failing) on keys outside `known`.
    static func reader(_ node: Node, _ path: FieldPath, known: [String], _ context: DecodeContext,
                       describeUnknown: ((String) -> String?)? = nil) -> MappingReader? {
        guard let pairs = node.mapping else {
            context.error("expected a mapping, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        var present: [String] = []
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            present.append(key)
            if !known.contains(key) {
                let message = describeUnknown?(key)
                    ?? "unknown key \"\(key)\" is ignored\(Suggestion.hint(for: key, among: known))"
                context.warning(message, at: pair.key.mark, path: path)
            }
        }
        return context.mapping(node, path, allowed: known + present)
    }

    static func decode(_ root: Node, _ context: DecodeContext) -> AppSpec {
        var spec = AppSpec()
        guard let top = reader(root, .root, known: topLevelKeys, context, describeUnknown: { key in
            LifecycleEvent(rawValue: key).map { _ in
                "\"\(key)\" is a lifecycle event outside \"hooks:\"; CodeDeploy ignores it (indent it under hooks:)"
            }
        }) else { return spec }

        if let version = top.node("version", required: true) {
            if version.scalar != "0.0" && version.scalar != "0" {
                context.error("version must be 0.0, found \(version.kindDescription)", at: version, path: FieldPath().appending("version"))
            }
        }
        if let osNode = top.node("os", required: true), let os = context.string(osNode, FieldPath().appending("os")) {
            switch os {
            case "linux": spec.os = os
            case "windows":
                context.error("os: windows is not supported: Slipway hosts run a POSIX shell", at: osNode, path: FieldPath().appending("os"))
            default:
                context.error("os must be linux or windows, found \"\(os)\"", at: osNode, path: FieldPath().appending("os"))
            }
        }
        if let node = top.node("file_exists_behavior"), let text = context.string(node, FieldPath().appending("file_exists_behavior")) {
            if let behavior = FileExistsBehavior(rawValue: text.uppercased()) {
                spec.fileExistsBehavior = behavior
            } else {
                context.error("file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN, found \"\(text)\"",
                              at: node, path: FieldPath().appending("file_exists_behavior"))
            }
        }
        spec.files = decodeFiles(top, context)
        spec.permissions = decodePermissions(top, context)
        spec.hooks = decodeHooks(top, context)
        return spec
    }

    static func decodeFiles(_ top: MappingReader, _ context: DecodeContext) -> [FileMapping] {
        guard let node = top.node("files"), !node.isNull, let items = top.sequence("files") else { return [] }
        var files: [FileMapping] = []
        for (item, path) in items {
            guard let entry = reader(item, path, known: ["source", "destination"], context) else { continue }
            guard let source = entry.string("source", required: true),
                  let destination = entry.string("destination", required: true) else { continue }
            if !destination.hasPrefix("/") {
                context.error("destination must be an absolute path, found \"\(destination)\"",
                              at: entry.node("destination"), path: path.appending("destination"))
                continue
            }
            if source.isEmpty {
                context.error("source must not be empty (write / for the whole bundle)", at: entry.node("source"), path: path.appending("source"))
                continue
            }
            files.append(FileMapping(source: source, destination: destination))
        }
        return files
    }

    static func decodePermissions(_ top: MappingReader, _ context: DecodeContext) -> [PermissionRule] {
        guard let node = top.node("permissions"), !node.isNull, let items = top.sequence("permissions") else { return [] }
        var rules: [PermissionRule] = []
        for (item, path) in items {
            guard let entry = reader(item, path, known: permissionKeys, context) else { continue }
            for unsupported in ["acls", "context"] where entry.has(unsupported) {
                context.error("\(unsupported) is not supported by Slipway (set it in a hook script instead)",
                              at: entry.keyMark(unsupported), path: path.appending(unsupported))
            }
            guard let object = entry.string("object", required: true) else { continue }
            var rule = PermissionRule(object: object)
            if !object.hasPrefix("/") {
                context.error("object must be an absolute path, found \"\(object)\"", at: entry.node("object"), path: path.appending("object"))
            }
            rule.pattern = entry.string("pattern") ?? "**"
            rule.except = entry.stringList("except") ?? []
            rule.owner = entry.string("owner")
            rule.group = entry.string("group")
            if let modeNode = entry.node("mode"), let mode = context.string(modeNode, path.appending("mode")) {
                if (1...4).contains(mode.count), mode.allSatisfy({ ("0"..."7").contains($0) }) {
                    rule.mode = String(repeating: "0", count: max(0, 3 - mode.count)) + mode
                } else {
                    context.error("mode must be 1 to 4 octal digits (like 644 or 0755), found \"\(mode)\"",
                                  at: modeNode, path: path.appending("mode"))
                }
            }
            if let types = entry.stringList("type") {
                var set: Set<PermissionRule.ObjectType> = []
                for name in types {
                    if let type = PermissionRule.ObjectType(rawValue: name) { set.insert(type) } else {
                        context.error("type must be file or directory, found \"\(name)\"", at: entry.node("type"), path: path.appending("type"))
                    }
                }
                if !set.isEmpty { rule.types = set }
            }
            rules.append(rule)
        }
        return rules
    }

    static func decodeHooks(_ top: MappingReader, _ context: DecodeContext) -> [LifecycleEvent: [HookScript]] {
        guard let node = top.node("hooks"), !node.isNull,
              let hooks = top.mapping("hooks", allowed: node.mapping?.compactMap(\.key.scalar) ?? []) else { return [:] }
        var result: [LifecycleEvent: [HookScript]] = [:]
        let hooksPath = FieldPath().appending("hooks")
        for pair in hooks.node.mapping ?? [] {
            guard let name = pair.key.scalar else { continue }
            let path = hooksPath.appending(name)
            guard let event = LifecycleEvent(rawValue: name) else {
                let names = LifecycleEvent.scriptable.map(\.rawValue)
                context.error("\"\(name)\" is not a lifecycle event\(Suggestion.hint(for: name, among: names))", at: pair.key.mark, path: hooksPath)
                continue
            }
            if event.isReserved {
                context.error("\(name) is reserved for the agent and cannot have scripts", at: pair.key.mark, path: hooksPath)
                continue
            }
            if pair.value.isNull { continue }
            guard let items = context.sequence(pair.value, path) else { continue }
            var scripts: [HookScript] = []
            for (item, itemPath) in items {
                guard let entry = reader(item, itemPath, known: hookKeys, context),
                      let location = entry.string("location", required: true) else { continue }
                var script = HookScript(location: location)
                if let timeout = entry.int("timeout", range: 1...Int(Int32.max)) { script.timeout = timeout }
                if script.timeout > 3600 {
                    context.warning("timeout \(script.timeout) is above CodeDeploy's 3600 s limit; Slipway honours it",
                                    at: entry.node("timeout")?.mark, path: itemPath.appending("timeout"))
                }
                script.runas = entry.string("runas")
                script.sudo = entry.bool("sudo") ?? false
                scripts.append(script)
            }
            if !scripts.isEmpty { result[event] = scripts }
        }
        return result
    }
}
