/// Decides whether a symlink stays inside a tree (the source root when packaging, the
/// destination when extracting).
///
/// A purely lexical check is not enough: with `sub/up -> ..`, the link `sub/x -> up/../y`
/// looks like `sub/y` lexically but the kernel resolves it to `../y`. So resolution is
/// emulated component by component, expanding every symlink met on the way through
/// `symlinkTarget(relativePath)`, exactly as the kernel would walk it.
enum SymlinkContainment {
    /// Symlinks expanded before giving up; a loop cannot reach outside, so it counts as inside.
    static let maxExpansions = 40

    /// True when `target`, the content of the symlink at relative path `linkPath`, resolves to
    /// a path inside the root. `symlinkTarget` returns the target of a relative path if that
    /// path is itself a symlink in the tree, nil otherwise.
    static func staysInside(linkPath: String, target: String,
                            symlinkTarget: (String) -> String?) -> Bool {
        if target.hasPrefix("/") { return false }
        var resolved = components(linkPath)
        if !resolved.isEmpty { resolved.removeLast() }  // start from the link's directory
        var pending = components(target)[...]
        var expansions = 0
        while let component = pending.first {
            pending = pending.dropFirst()
            if component == ".." {
                if resolved.isEmpty { return false }
                resolved.removeLast()
                continue
            }
            resolved.append(component)
            guard let next = symlinkTarget(resolved.joined(separator: "/")) else { continue }
            expansions += 1
            if expansions > maxExpansions { return true }
            if next.hasPrefix("/") { return false }
            resolved.removeLast()
            pending = (components(next) + pending)[...]
        }
        return true
    }

    /// Path components without empty and `.` parts; `..` is kept for the caller to judge.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true)
            .map(String.init)
            .filter { $0 != "." }
    }
}
