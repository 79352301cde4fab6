import CArchive

/// A destination for the bytes libarchive produces: the archive file itself, or a compressor
/// stage in front of it. Used from one thread (the one driving libarchive).
protocol ArchiveByteSink: AnyObject {
    /// Returns false after a failure (kept in `failure`).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Called once, when libarchive closes the archive: push out everything still buffered.
    func finish() -> Bool
    /// Why `append` or `finish` returned false.
    var failure: ArchiveError? { get }
}

enum LibarchiveOutput {
    /// Wires `sink` as the client of a libarchive writer. libarchive keeps only an unretained
    /// pointer, so the caller must keep `sink` alive until the writer is freed (freeing an
    /// unclosed writer still calls `finish`).
    static func open(_ writer: OpaquePointer, into sink: any ArchiveByteSink) -> Int32 {
        let client = Unmanaged.passUnretained(sink as AnyObject).toOpaque()
        return archive_write_open2(writer, client, nil, { _, client, buffer, length in
            guard let sink = LibarchiveOutput.sink(from: client), let buffer else { return -1 }
            return sink.append(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
        }, { _, client in
            guard let sink = LibarchiveOutput.sink(from: client) else { return ARCHIVE_FATAL }
            return sink.finish() ? ARCHIVE_OK : ARCHIVE_FATAL
        }, nil)
    }

    private static func sink(from client: UnsafeMutableRawPointer?) -> (any ArchiveByteSink)? {
        guard let client else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(client).takeUnretainedValue() as? any ArchiveByteSink
    }
}
