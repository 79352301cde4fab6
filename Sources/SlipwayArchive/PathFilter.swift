/// The packaging filter: `.slipwayignore` rules, then exclude globs, then include globs.
struct PathFilter: Sendable {
    let ignoreRules: IgnoreRules
    let include: [GlobPattern]
    let exclude: [GlobPattern]

    func excludes(_ path: String, isDirectory: Bool) -> Bool {
        ignoreRules.isIgnored(path, isDirectory: isDirectory) || exclude.contains { $0.matches(path) }
    }

    /// Include globs only narrow files and symlinks; directories are kept when they lead to one.
    func includes(_ path: String) -> Bool {
        include.isEmpty || include.contains { $0.matches(path) }
    }

    /// Every walked directory without include globs; with them, the directories that match an
    /// include glob themselves or contain an included entry.
    func keepDirectories(_ directories: [String], forIncluded paths: [String]) -> [String] {
        if include.isEmpty { return directories }
        var needed = Set<String>()
        for path in paths {
            var components = path.split(separator: "/")
            components.removeLast()
            while !components.isEmpty {
                let ancestor = components.joined(separator: "/")
                if !needed.insert(ancestor).inserted { break }
                components.removeLast()
            }
        }
        return directories.filter { needed.contains($0) || includes($0) }
    }
}
