import CArchive

/// A libarchive reader over a file, limited to the formats a deploy bundle can be in.
final class ArchiveReader {
    let handle: OpaquePointer
    let path: String

    init(path: String) throws(ArchiveError) {
        guard let handle = archive_read_new() else {
            throw .libarchive(operation: "create reader", message: "out of memory")
        }
        self.handle = handle
        self.path = path
        archive_read_support_format_tar(handle)
        archive_read_support_format_zip(handle)
        archive_read_support_filter_gzip(handle)
        archive_read_support_filter_zstd(handle)
        archive_read_support_filter_bzip2(handle)
        archive_read_support_filter_xz(handle)
        archive_read_support_filter_none(handle)
        guard archive_read_open_filename(handle, path, 1 << 20) == ARCHIVE_OK else {
            // No free here: every property is set, so deinit releases the handle.
            throw .libarchive(operation: "open archive \"\(path)\"", message: Libarchive.message(handle))
        }
    }

    deinit {
        archive_read_free(handle)
    }

    /// The next header, nil at the end of the archive.
    func nextHeader() throws(ArchiveError) -> OpaquePointer? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(handle, &entry)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
            throw Libarchive.fail(handle, "read archive \"\(path)\"")
        }
        return entry
    }

    /// Calls `body` with each data block of the current entry (offset, bytes).
    func forEachBlock(_ body: (Int64, UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let status = archive_read_data_block(handle, &buffer, &size, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw Libarchive.fail(handle, "read archive \"\(path)\"")
            }
            try body(offset, UnsafeRawBufferPointer(start: buffer, count: size))
        }
    }

    /// Decodes a header into the validator's terms.
    static func describe(_ entry: OpaquePointer) throws(ArchiveError) -> (path: String, kind: EntryValidator.RawKind, size: Int64, permissions: UInt32) {
        guard let rawPath = archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry) else {
            throw .libarchive(operation: "read entry", message: "an entry name cannot be decoded")
        }
        let path = String(cString: rawPath)
        let size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
        let permissions = UInt32(archive_entry_perm(entry))
        if let hardLink = archive_entry_hardlink(entry) ?? archive_entry_hardlink_utf8(entry) {
            return (path, .hardLink(String(cString: hardLink)), size, permissions)
        }
        let type = mode_t(archive_entry_filetype(entry))
        let kind: EntryValidator.RawKind
        switch type {
        case SLIPWAY_AE_IFREG: kind = .file
        case SLIPWAY_AE_IFDIR: kind = .directory
        case SLIPWAY_AE_IFLNK:
            let target = archive_entry_symlink(entry) ?? archive_entry_symlink_utf8(entry)
            kind = .symlink(target.map { String(cString: $0) } ?? "")
        case SLIPWAY_AE_IFCHR: kind = .special("character device")
        case SLIPWAY_AE_IFBLK: kind = .special("block device")
        case SLIPWAY_AE_IFIFO: kind = .special("FIFO")
        case SLIPWAY_AE_IFSOCK: kind = .special("socket")
        default: kind = .special("entry of unknown type")
        }
        return (path, kind, size, permissions)
    }
}
