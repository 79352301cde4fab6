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
    /// The same walk counts the tree's files and bytes, which packaging can reuse for progress.
    public static func fingerprint(source: String, options: PackageOptions = PackageOptions()) throws(ArchiveError) -> TreeFingerprint {
        let root = try POSIX.realPath(source)
        let tree = SourceTree(root: root, filter: try makeFilter(root: root, options: options), skip: [],
                              threads: threadCount(options))
        var text = FingerprintText()
        text.line("slipway-fingerprint-v1")
        text.line("\(options.format.rawValue)|\(options.compressionLevel ?? -1)|\(options.include)|\(options.exclude)|\(options.useIgnoreFile)")
        if let ignore = POSIX.lstat(root + "/" + SourceTree.ignoreFileName) {
            text.append(".slipwayignore|")
            text.append(FileStamp(ignore))
            text.endLine()
        }
        var totals = PackageTotals()
        // Files carry the walk's own lstat: one stat per entry, not two.
        try tree.forEachEntry { entry in
            switch entry.kind {
            case .directory:
                text.line("d|", entry.relativePath)
            case .file(let size, let executable, let stamp):
                text.append("f|", entry.relativePath, "|")
                text.append(size)
                text.append(executable ? "|true|" : "|false|")
                text.append(stamp)
                text.endLine()
            case .symlink(let target):
                text.line("l|", entry.relativePath, "|", target)
            }
            totals.count(entry)
        }
        return TreeFingerprint(digest: text.digest(), totals: totals)
    }
}

/// The text a fingerprint hashes: one NUL-terminated line per entry, the same bytes as the
/// string interpolation it replaces (so the fingerprints of unchanged trees, and the archives
/// they let a push reuse, stay valid), written into one buffer and hashed in large chunks
/// instead of two arrays allocated per entry.
struct FingerprintText {
    private var hasher = SHA256Stream()
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(Self.chunk + 4096) }

    private static let chunk = 64 << 10

    mutating func append(_ parts: String...) {
        for part in parts { buffer.append(contentsOf: part.utf8) }
    }

    /// Decimal, as `"\(value)"` prints it.
    mutating func append(_ value: Int64) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { slots in
            repeat {
                slots[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(slots[index]) }
        }
    }

    mutating func append(_ value: Int) { append(Int64(value)) }
    mutating func append(_ value: UInt64) {
        if value <= UInt64(Int64.max) { append(Int64(value)) } else { append(String(value)) }
    }

    /// `inode|mode|size|mtime.ns|ctime.ns`.
    mutating func append(_ stamp: FileStamp) {
        append(stamp.inode); append("|")
        append(Int64(stamp.mode)); append("|")
        append(stamp.size); append("|")
        append(stamp.modified.seconds); append(".")
        append(stamp.modified.nanoseconds); append("|")
        append(stamp.changed.seconds); append(".")
        append(stamp.changed.nanoseconds)
    }

    mutating func line(_ parts: String...) {
        for part in parts { buffer.append(contentsOf: part.utf8) }
        endLine()
    }

    mutating func endLine() {
        buffer.append(0)
        if buffer.count >= Self.chunk { flush() }
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { hasher.update($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    consuming func digest() -> String {
        flush()
        return hasher.finalizeHex()
    }
}
