#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Packager {
    /// A digest of what packaging `source` with `options` would read: every selected entry's path,
    /// kind, size, mode, inode and modification/change times (to the nanosecond), the link targets,
    /// and the options. Equal fingerprints mean an unchanged tree, so a caller may reuse the
    /// archive made last time instead of reading every byte again; any edit, touch, chmod or
    /// rename changes it. Costs one lstat per entry.
    public static func fingerprint(source: String, options: PackageOptions = PackageOptions()) throws(ArchiveError) -> String {
        let root = try POSIX.realPath(source)
        let tree = SourceTree(root: root, filter: try makeFilter(root: root, options: options), skip: [])
        var hasher = SHA256Stream()
        func add(_ text: String) { hasher.update(Array(text.utf8) + [0]) }
        add("slipway-fingerprint-v1")
        add("\(options.format.rawValue)|\(options.compressionLevel ?? -1)|\(options.include)|\(options.exclude)|\(options.useIgnoreFile)")
        if let ignore = POSIX.lstat(root + "/" + SourceTree.ignoreFileName) {
            add(".slipwayignore|\(stamp(ignore))")
        }
        // Files carry the walk's own lstat: one stat per entry, not two.
        for entry in try tree.entries() {
            switch entry.kind {
            case .directory: add("d|\(entry.relativePath)")
            case .file(let size, let executable, let stamp): add("f|\(entry.relativePath)|\(size)|\(executable)|\(text(stamp))")
            case .symlink(let target): add("l|\(entry.relativePath)|\(target)")
            }
        }
        return hasher.finalizeHex()
    }

    private static func stamp(_ info: stat) -> String { text(FileStamp(info)) }

    /// The same text as before stamps were kept by the walk, so fingerprints (and the archives
    /// they let a push reuse) stay valid across the change.
    private static func text(_ stamp: FileStamp) -> String {
        "\(stamp.inode)|\(stamp.mode)|\(stamp.size)|\(stamp.modified.seconds).\(stamp.modified.nanoseconds)|\(stamp.changed.seconds).\(stamp.changed.nanoseconds)"
    }
}
