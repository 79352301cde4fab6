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
}
