#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The end of the output chain: bytes go to a file descriptor in 1 MiB batches and through
/// SHA-256 on the way, so the archive is hashed without being read back.
final class HashingFileSink: ArchiveByteSink {
    private let fd: Int32
    let path: String
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

    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return false }
        hash.update(bytes)
        pending.append(contentsOf: bytes)
        return pending.count >= batchSize ? flush() : true
    }

    func finish() -> Bool { failure == nil && flush() }

    private func flush() -> Bool {
        let ok = pending.withUnsafeBytes { POSIX.writeAll(fd, $0) }
        if !ok { failure = .io(operation: "write", path: path, message: POSIX.errorMessage()) }
        pending.removeAll(keepingCapacity: true)
        return ok
    }

    func digestHex() -> String { hash.finalizeHex() }
}
