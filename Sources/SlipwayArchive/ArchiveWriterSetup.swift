import CArchive

/// Configures a libarchive writer for one `ArchiveFormat`, with every choice that could vary
/// between machines pinned down.
enum ArchiveWriterSetup {
    /// The level to use: the requested one if valid for the format, else the format's default.
    static func compressionLevel(for format: ArchiveFormat, requested: Int?) throws(ArchiveError) -> Int? {
        let level = requested ?? format.defaultCompressionLevel
        if let level, let range = format.compressionLevels, !range.contains(level) {
            throw .invalidOption("compression level \(level) is outside \(range) for \(format.rawValue)")
        }
        return level
    }

    /// For `.tgz` libarchive writes a plain tar stream: `ParallelGzipWriter` compresses it.
    static func configure(_ writer: OpaquePointer, format: ArchiveFormat, compressionLevel: Int?,
                          threads: Int) throws(ArchiveError) {
        let level = try self.compressionLevel(for: format, requested: compressionLevel)
        if format != .tar {
            // libarchive pads its output to 10 KiB blocks by default, also AFTER a compressor:
            // zeros after a zstd frame make readers fail, and they bloat every archive.
            // A plain tar keeps the padding, like `tar cf`.
            try check(archive_write_set_bytes_in_last_block(writer, 1), writer, "disable block padding")
        }
        switch format {
        case .zip:
            try check(archive_write_set_format_zip(writer), writer, "select zip format")
            if let level { try Libarchive.setFormatOption(writer, "zip", "compression-level", String(level)) }
            return
        case .tar, .tgz, .tzst:
            // GNU tar format: names are stored as the raw bytes we pass, whatever the process
            // locale (pax converts non-ASCII names through the locale, and its hdrcharset=BINARY
            // fix adds an extended header to EVERY entry, +1 KiB each, which GNU tar warns
            // about). Long names use GNU long-name records, read by GNU tar, bsdtar, busybox
            // and Python's tarfile.
            try check(archive_write_set_format_gnutar(writer), writer, "select GNU tar format")
        }
        switch format {
        case .tzst:
            try check(archive_write_add_filter_zstd(writer), writer, "add zstd filter")
            if let level { try Libarchive.setFilterOption(writer, "zstd", "compression-level", String(level)) }
            // zstd output is identical for any worker count ≥ 1 (but differs from 0). Exactly one
            // worker: it overlaps compression with reading files on this thread (like
            // `tar --zstd`), while each extra worker adds its own job buffers (measured on a
            // 500 MB tree: 2 workers peaked at 101.9 MiB) and gained no time on 2 busy cores.
            // `threads` is therefore not used for zstd; the bytes are those of any count ≥ 1.
            _ = threads
            try Libarchive.setFilterOption(writer, "zstd", "threads", "1")
        case .tar, .tgz, .zip:
            // tgz: no libarchive filter. Its single-threaded gzip would leave a core idle;
            // the padding disabled above keeps the tar stream exactly as it was under it.
            break
        }
    }

    private static func check(_ status: Int32, _ writer: OpaquePointer, _ operation: String) throws(ArchiveError) {
        guard status == ARCHIVE_OK else { throw Libarchive.fail(writer, operation) }
    }
}
