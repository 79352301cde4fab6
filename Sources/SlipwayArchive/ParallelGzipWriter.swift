import CZlib

/// gzip compression on several cores, pigz-style, whose bytes depend only on the input.
///
/// The input is cut into fixed `blockSize` blocks. Each block is raw-deflated on its own by a
/// worker thread, primed with the 32 KiB of input before it (so compression barely suffers
/// from the cuts), and the results are written in order between a fixed gzip header and the
/// CRC-32/ISIZE trailer: one ordinary gzip member that `gzip`, `tar` and libarchive read.
/// Block size, dictionary rule and level are fixed, so the output is identical for 1 or N
/// threads and whatever the timing. At most 2 × threads blocks exist at once: memory is flat
/// for any archive size.
final class ParallelGzipWriter: ArchiveByteSink {
    /// 128 KiB, like pigz. Never derive it from the machine: block boundaries shape the bytes.
    static let defaultBlockSize = 128 * 1024
    /// More threads than this would only add memory (2 blocks each), not speed.
    static let maximumThreads = 64

    private let destination: any ArchiveByteSink
    private let path: String
    private let blockSize: Int
    private let queue: GzipBlockQueue
    private var workers: [NativeThread] = []
    /// Sequence number of the block being filled; all before it are submitted.
    private var filling = 0
    /// Blocks already passed to `destination`, in order.
    private var written = 0
    private var checksum: UInt = 0
    private var inputSize: UInt64 = 0
    private var isOpen = true
    private var ownFailure: ArchiveError?

    var failure: ArchiveError? { ownFailure ?? destination.failure }

    /// - Parameters:
    ///   - destination: receives the gzip bytes (the header right away).
    ///   - path: the archive path, for error messages.
    ///   - threads: compression threads, clamped to 1...`maximumThreads`; never changes the bytes.
    ///   - blockSize: tests use small blocks to cross many boundaries; packaging always uses
    ///     `defaultBlockSize` so archives stay comparable across versions and machines.
    init(destination: any ArchiveByteSink, path: String, level: Int, threads: Int,
         blockSize: Int = ParallelGzipWriter.defaultBlockSize) throws(ArchiveError) {
        precondition(blockSize >= GzipBlock.dictionarySize, "a block must hold a whole dictionary")
        guard (0...9).contains(level) else { throw .invalidOption("gzip compression level \(level) is outside 0...9") }
        self.destination = destination
        self.path = path
        self.blockSize = blockSize
        let threadCount = max(1, min(threads, Self.maximumThreads))
        queue = GzipBlockQueue(slotCount: 2 * threadCount, blockSize: blockSize)
        queue.slot(for: 0).reset(after: nil)

        // All zlib streams first: running out of memory then leaves no thread to stop.
        var compressors: [DeflateBlockCompressor] = []
        for _ in 0..<threadCount {
            guard let compressor = DeflateBlockCompressor(level: level) else {
                throw .io(operation: "start gzip compression", path: path, message: "zlib could not allocate a stream")
            }
            compressors.append(compressor)
        }
        for compressor in compressors {
            let queue = queue
            let thread = NativeThread.start {
                while let sequence = queue.claim() {
                    compressor.compress(queue.slot(for: sequence))
                    queue.complete(sequence)
                }
            }
            guard let thread else {
                shutDown()
                throw .io(operation: "start gzip compression", path: path, message: "cannot create a thread")
            }
            workers.append(thread)
        }
        guard Self.header(level: level).withUnsafeBytes({ destination.append($0) }) else {
            shutDown()
            throw destination.failure ?? .io(operation: "write", path: path, message: "gzip header not written")
        }
    }

    deinit { shutDown() }

    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard isOpen, failure == nil else { return false }
        var offset = 0
        while offset < bytes.count {
            let block = queue.slot(for: filling)
            let count = min(blockSize - block.inputCount, bytes.count - offset)
            (block.input.baseAddress! + block.inputCount).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            block.inputCount += count
            offset += count
            // A full block is sent at once, so the last block may be empty (when the input is
            // a multiple of the block size): it then holds just the end-of-stream marker.
            if block.inputCount == blockSize {
                guard submitFilledBlock() else { return false }
            }
        }
        inputSize += UInt64(bytes.count)
        return true
    }

    /// Compresses the last block, writes everything in order, the trailer, and stops the threads.
    func finish() -> Bool {
        guard isOpen else { return false }
        isOpen = false
        defer { shutDown() }
        guard failure == nil else { return false }
        queue.slot(for: filling).isLast = true
        queue.submit(filling)
        filling += 1
        guard writeCompressedBlocks(waitingThrough: filling - 1) else { return false }
        var trailer = LittleEndianBytes()
        trailer.u32(UInt32(truncatingIfNeeded: checksum))
        // ISIZE is the input size modulo 2^32, as RFC 1952 specifies.
        trailer.u32(UInt32(truncatingIfNeeded: inputSize))
        guard trailer.bytes.withUnsafeBytes({ destination.append($0) }) else { return false }
        return destination.finish()
    }

    /// Stops and joins the worker threads. Safe to call more than once; `finish` calls it, and
    /// callers abandoning an archive must call it (or release the writer).
    func shutDown() {
        isOpen = false
        guard !workers.isEmpty else { return }
        queue.close()
        for worker in workers { worker.join() }
        workers = []
    }

    /// Hands the full block to the workers and starts filling the next slot.
    private func submitFilledBlock() -> Bool {
        queue.submit(filling)
        filling += 1
        // The next slot still holds block `filling - slots.count` until that one is written.
        guard writeCompressedBlocks(waitingThrough: filling - queue.slots.count) else { return false }
        queue.slot(for: filling).reset(after: queue.slot(for: filling - 1))
        return true
    }

    /// Writes submitted blocks in order: waits for those up to `required`, then takes any
    /// others already compressed without waiting.
    private func writeCompressedBlocks(waitingThrough required: Int) -> Bool {
        while written < filling {
            guard queue.isCompressed(written, wait: written <= required) else { return true }
            let block = queue.slot(for: written)
            if let message = block.failure {
                ownFailure = .io(operation: "gzip compress", path: path, message: message)
                return false
            }
            checksum = slipway_crc32_combine(checksum, block.checksum, Int64(block.inputCount))
            guard destination.append(block.compressed) else { return false }
            written += 1
        }
        return true
    }

    /// RFC 1952 header: deflate, no flags (no name, no comment), MTIME 0, XFL as gzip sets it
    /// for the level, OS 3 (Unix) whatever the host, so the header never varies by machine.
    static func header(level: Int) -> [UInt8] {
        let extraFlags: UInt8 = level == 9 ? 2 : (level == 1 ? 4 : 0)
        return [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, 3]
    }
}
