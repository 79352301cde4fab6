#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which `permissions:` rule applies to which placed path, with the agent's matching rules:
/// only paths this deployment copies or creates; a rule whose object is a copied file applies to
/// it alone; a rule on a folder applies strictly below it, `**` at any depth, another pattern
/// (and `except`) as a glob on the immediate child's name.
struct PermissionMatcher {
    let rules: [PermissionRule]

    func assign(_ operations: [InstallPlanner.Operation]) throws(PlanError) -> [(path: String, rule: PermissionRule)] {
        var result: [(path: String, rule: PermissionRule)] = []
        var owner: [String: String] = [:]
        for operation in operations {
            let path: String
            let type: PermissionRule.ObjectType
            switch operation {
            case .copy(_, let target): (path, type) = (target, .file)
            case .mkdir(let target, true): (path, type) = (target, .directory)
            case .mkdir(_, false): continue  // pre-existing ancestors are never touched
            }
            for rule in rules where matches(rule, path: path, type: type) {
                if let other = owner[path] {
                    throw PlanError("permissions: \(path) gets permissions from both \(other) and \(rule.object)")
                }
                owner[path] = rule.object
                result.append((path, rule))
            }
        }
        return result
    }

    func matches(_ rule: PermissionRule, path: String, type: PermissionRule.ObjectType) -> Bool {
        guard rule.types.contains(type) else { return false }
        let object = rule.object.count > 1 && rule.object.hasSuffix("/") ? String(rule.object.dropLast()) : rule.object
        if path == object { return type == .file && rule.pattern == "**" && rule.except.isEmpty }
        let prefix = object == "/" ? "/" : object + "/"
        guard path.hasPrefix(prefix) else { return false }
        let rest = String(path.dropFirst(prefix.count))
        let name = rest.split(separator: "/").last.map(String.init) ?? rest
        if rule.except.contains(where: { glob($0, name) }) { return false }
        if rule.pattern == "**" { return true }
        return !rest.contains("/") && glob(rule.pattern, name)
    }

    private func glob(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}
