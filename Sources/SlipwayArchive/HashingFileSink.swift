import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The destination libarchive writes into (through `archive_write_open2`): bytes go to a file
/// descriptor in 1 MiB batches and through SHA-256 on the way, so the archive is hashed
/// without being read back.
final class HashingFileSink {
    private let fd: Int32
    private let path: String
    private var hash = SHA256Stream()
    private var pending: [UInt8] = []
    private let batchSize = 1 << 20
    private(set) var failure: ArchiveError?

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        pending.reserveCapacity(batchSize)
    }

    var byteCount: Int64 { hash.byteCount }

    /// Returns false after a write error (kept in `failure`, reported to libarchive as -1).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        hash.update(bytes)
        pending.append(contentsOf: bytes)
        return pending.count >= batchSize ? flush() : true
    }

    func flush() -> Bool {
        var offset = 0
        let ok = pending.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .io(operation: "write", path: path, message: POSIX.errorMessage())
                    return false
                }
                offset += written
            }
            return true
        }
        pending.removeAll(keepingCapacity: true)
        return ok
    }

    func digestHex() -> String { hash.finalizeHex() }

    /// Wires this sink as the client of a libarchive writer. The sink must outlive the writer.
    func open(writer: OpaquePointer) -> Int32 {
        let client = Unmanaged.passUnretained(self).toOpaque()
        return archive_write_open2(writer, client, nil, { _, client, buffer, length in
            guard let client, let buffer else { return -1 }
            let sink = Unmanaged<HashingFileSink>.fromOpaque(client).takeUnretainedValue()
            return sink.append(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
        }, { _, client in
            guard let client else { return ARCHIVE_FATAL }
            let sink = Unmanaged<HashingFileSink>.fromOpaque(client).takeUnretainedValue()
            return sink.flush() ? ARCHIVE_OK : ARCHIVE_FATAL
        }, nil)
    }
}
