import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Extraction that never writes outside the destination and never leaves a partial tree.
///
/// Every entry passes `EntryValidator` (no `..`, no absolute paths, no symlink leading outside,
/// nothing written through a symlink, hard links only to earlier regular files, no devices,
/// FIFOs or sockets, size, count and ratio limits) before libarchive sees it, and libarchive
/// adds its own SECURE_SYMLINKS / SECURE_NODOTDOT checks. The tree is built in a fresh hidden
/// sibling of the destination and renamed into place only when the whole archive passed.
/// Ownership is not restored; setuid, setgid and sticky bits are dropped; mtimes are kept.
public enum SafeExtractor {
    /// Extracts into `destination`, which must not exist or be an empty directory; its parent
    /// must exist.
    @discardableResult
    public static func extract(archive: String, to destination: String,
                               limits: ExtractionLimits = .default) throws(ArchiveError) -> ArchiveSummary {
        let parent = try POSIX.realPath(POSIX.parentDirectory(of: destination))
        let name = POSIX.baseName(of: destination)
        let target = parent + "/" + name
        if let info = POSIX.lstat(target) {
            let empty = POSIX.isDirectory(info) && ((try? POSIX.directoryEntries(target).isEmpty) ?? false)
            if !empty { throw .destinationNotEmpty(path: destination) }
        }
        let staging = try POSIX.makeTemporaryDirectory(prefix: parent + "/." + name + ".slipway-extract-")
        var succeeded = false
        defer { if !succeeded { POSIX.removeTree(staging) } }

        let summary = try extractAll(archive: archive, into: staging, limits: limits)
        if POSIX.lstat(target) != nil {
            // An empty directory: rename(2) cannot replace it atomically with a non-empty
            // one on every system, so remove it first.
            rmdir(target)
        }
        try POSIX.rename(staging, target)
        succeeded = true
        return summary
    }

    /// Every entry, checked with the same rules as `extract`, without writing anything.
    /// Data is decompressed (and counted) so a truncated or lying archive is caught too.
    public static func inspect(archive: String, limits: ExtractionLimits = .default) throws(ArchiveError) -> [EntryInfo] {
        var entries: [EntryInfo] = []
        _ = try scan(archive: archive, limits: limits) { entries.append($0) }
        return entries
    }

    /// Like `inspect` without collecting the entries: the runner's check of a foreign bundle.
    @discardableResult
    public static func validate(archive: String, limits: ExtractionLimits = .default) throws(ArchiveError) -> ArchiveSummary {
        try scan(archive: archive, limits: limits) { _ in }
    }

    private static func packedSize(_ archive: String) throws(ArchiveError) -> Int64 {
        Int64(try POSIX.requireLstat(archive).st_size)
    }

    private static func scan(archive: String, limits: ExtractionLimits,
                             onEntry: (EntryInfo) -> Void) throws(ArchiveError) -> ArchiveSummary {
        let packed = try packedSize(archive)
        let reader = try ArchiveReader(path: archive)
        var validator = EntryValidator(limits: limits, packedBytes: packed)
        while let header = try reader.nextHeader() {
            let raw = try ArchiveReader.describe(header)
            guard let info = try validator.admit(path: raw.path, kind: raw.kind, size: raw.size,
                                                 permissions: raw.permissions) else { continue }
            try countData(reader: reader, declared: info.size, validator: &validator) { _, _ throws(ArchiveError) in }
            onEntry(info)
        }
        try validator.finish()
        return ArchiveSummary(entryCount: validator.entryCount, expandedBytes: validator.expandedBytes,
                              packedBytes: packed)
    }

    private static let diskFlags: Int32 = ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME

    private static func extractAll(archive: String, into staging: String,
                                   limits: ExtractionLimits) throws(ArchiveError) -> ArchiveSummary {
        let packed = try packedSize(archive)
        let reader = try ArchiveReader(path: archive)
        guard let disk = archive_write_disk_new() else {
            throw .libarchive(operation: "create disk writer", message: "out of memory")
        }
        defer { archive_write_free(disk) }
        archive_write_disk_set_options(disk, diskFlags)

        var validator = EntryValidator(limits: limits, packedBytes: packed)
        while let header = try reader.nextHeader() {
            let raw = try ArchiveReader.describe(header)
            guard let info = try validator.admit(path: raw.path, kind: raw.kind, size: raw.size,
                                                 permissions: raw.permissions) else { continue }
            // libarchive resolves names against the working directory: give it absolute
            // paths under the staging directory (which contains no symlink or `..`).
            archive_entry_set_pathname(header, staging + "/" + info.path)
            if info.kind == .hardLink, let target = info.linkTarget {
                archive_entry_set_hardlink(header, staging + "/" + target)
            }
            if info.kind != .symlink { archive_entry_set_perm(header, mode_t(info.permissions)) }
            guard archive_write_header(disk, header) >= ARCHIVE_WARN else {
                throw .libarchive(operation: "extract \"\(raw.path)\"", message: Libarchive.message(disk))
            }
            try countData(reader: reader, declared: info.size, validator: &validator) { offset, block throws(ArchiveError) in
                guard archive_write_data_block(disk, block.baseAddress, block.count, offset) >= ARCHIVE_WARN else {
                    throw .libarchive(operation: "extract \"\(raw.path)\"", message: Libarchive.message(disk))
                }
            }
            guard archive_write_finish_entry(disk) >= ARCHIVE_WARN else {
                throw .libarchive(operation: "extract \"\(raw.path)\"", message: Libarchive.message(disk))
            }
        }
        try validator.finish()
        // Closing applies deferred directory permissions and times.
        guard archive_write_close(disk) >= ARCHIVE_WARN else {
            throw .libarchive(operation: "finish extraction", message: Libarchive.message(disk))
        }
        return ArchiveSummary(entryCount: validator.entryCount, expandedBytes: validator.expandedBytes,
                              packedBytes: packed)
    }

    /// Streams the current entry's data to `sink`, charging the limits for any byte beyond the
    /// declared size.
    private static func countData(reader: ArchiveReader, declared: Int64, validator: inout EntryValidator,
                                  sink: (Int64, UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
        var seen: Int64 = 0
        try reader.forEachBlock { offset, block throws(ArchiveError) in
            let end = offset + Int64(block.count)
            if end > max(seen, declared) {
                try validator.account(bytes: end - max(seen, declared))
            }
            seen = max(seen, end)
            try sink(offset, block)
        }
    }
}
