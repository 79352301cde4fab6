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

    /// For `.tgz` and `.tzst` libarchive writes a plain tar stream, compressed by the caller.
    static func configure(_ writer: OpaquePointer, format: ArchiveFormat, compressionLevel: Int?) throws(ArchiveError) {
        // Validates the level; the compressor stages after libarchive apply it.
        _ = try self.compressionLevel(for: format, requested: compressionLevel)
        if format != .tar {
            // libarchive pads its output to 10 KiB blocks by default, also AFTER a compressor:
            // zeros after a zstd frame make readers fail, and they bloat every archive.
            // A plain tar keeps the padding, like `tar cf`.
            try check(archive_write_set_bytes_in_last_block(writer, 1), writer, "disable block padding")
        }
        switch format {
        case .zip:
            // Written by ZipStreamWriter, which keeps the central directory out of memory.
            throw .invalidOption("zip archives are not written through libarchive")
        case .tar, .tgz, .tzst:
            // GNU tar format: names are stored as the raw bytes we pass, whatever the process
            // locale (pax converts non-ASCII names through the locale, and its hdrcharset=BINARY
            // fix adds an extended header to EVERY entry, +1 KiB each, which GNU tar warns
            // about). Long names use GNU long-name records, read by GNU tar, bsdtar, busybox
            // and Python's tarfile.
            try check(archive_write_set_format_gnutar(writer), writer, "select GNU tar format")
        }
        // No libarchive filter for tgz and tzst: libarchive's gzip is single-threaded, and its
        // zstd either compresses on the reading thread or buffers ≈47 MiB in zstd's worker mode.
        // `ParallelGzipWriter` and `ZstdStreamWriter` compress the plain tar stream instead;
        // the padding disabled above keeps that stream exactly as it was under a filter.
    }

    private static func check(_ status: Int32, _ writer: OpaquePointer, _ operation: String) throws(ArchiveError) {
        guard status == ARCHIVE_OK else { throw Libarchive.fail(writer, operation) }
    }
}
