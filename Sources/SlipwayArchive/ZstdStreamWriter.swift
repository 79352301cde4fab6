import CZstd

/// zstd compression of the tar stream: the reading thread hands 1 MiB blocks through a ring of
/// `slotCount` buffers to a thread of ours, which feeds zstd's worker mode (`workers` threads,
/// jobs of `jobSize`) and passes the compressed bytes on (hash and write).
///
/// Why not libarchive's zstd filter: it compresses on the thread that reads the files, or, with
/// `threads` ≥ 1, through zstd's worker mode with its default job size, whose buffers cost
/// ≈47 MiB at level 3 (peak 86.7 MiB on the 500 MB benchmark tree). Measured on that tree
/// (docs/benchmarks.md): single-threaded zstd on our own thread kept memory low (45.8 MiB) but
/// took 1.1–1.3× the wall time of `tar --zstd`, because compression, hashing and writing shared
/// one thread; one worker, 1.11×; two workers with 1 MiB jobs, 0.87× at 57.7 MiB.
///
/// The bytes: in worker mode zstd cuts the input into jobs at fixed `jobSize` offsets, so the
/// output depends only on the tar stream, the level, the job size and the libzstd version, not
/// on how the stream is fed or on thread timing (and not on the worker count, as long as it is
/// at least 1). A content checksum is included, as the `zstd` tool does.
final class ZstdStreamWriter: ArchiveByteSink {
    static let blockSize = 1 << 20
    static let slotCount = 3
    static let workers = 2
    /// zstd's minimum is 512 KiB; smaller jobs cost ratio, larger ones memory (≈2 per worker in flight).
    static let jobSize = 1 << 20

    private let destination: any ArchiveByteSink
    private let path: String
    private let handoff: ZstdHandoff
    private var compressor: NativeThread?
    /// The slot being filled by the producer, and how much of it is filled.
    private var filling: UnsafeMutableRawBufferPointer?
    private var filled = 0
    private var isOpen = true

    /// The destination is only read once the compressor, which writes to it, has stopped.
    var failure: ArchiveError? { handoff.failure ?? (compressor == nil ? destination.failure : nil) }

    init(destination: any ArchiveByteSink, path: String, level: Int) throws(ArchiveError) {
        guard let context = ZSTD_createCCtx() else {
            throw .io(operation: "start zstd compression", path: path, message: "libzstd could not allocate a context")
        }
        for (parameter, value) in [(ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 1), (ZSTD_c_nbWorkers, Int32(Self.workers)), (ZSTD_c_jobSize, Int32(Self.jobSize))] {
            let status = ZSTD_CCtx_setParameter(context, parameter, value)
            if ZSTD_isError(status) != 0 {
                ZSTD_freeCCtx(context)
                throw .invalidOption("zstd: \(String(cString: ZSTD_getErrorName(status)))")
            }
        }
        self.destination = destination
        self.path = path
        let handoff = ZstdHandoff(slotCount: Self.slotCount, blockSize: Self.blockSize)
        self.handoff = handoff
        let compressor = ZstdCompressor(context: context, destination: destination, path: path)
        guard let thread = NativeThread.start({ compressor.run(handoff) }) else {
            throw .io(operation: "start zstd compression", path: path, message: "cannot create a thread")
        }
        self.compressor = thread
    }

    deinit { shutDown() }

    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard isOpen, failure == nil else { return false }
        var offset = 0
        while offset < bytes.count {
            guard let slot = filling ?? handoff.takeFreeSlot() else { return false }
            filling = slot
            let count = min(slot.count - filled, bytes.count - offset)
            (slot.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            filled += count
            offset += count
            if filled == slot.count {
                handoff.submit(slot, count: filled)
                filling = nil
                filled = 0
            }
        }
        return true
    }

    /// Sends the last block, waits for the compressor to end the frame, then finishes the file.
    func finish() -> Bool {
        guard isOpen else { return false }
        isOpen = false
        if let slot = filling, filled > 0 { handoff.submit(slot, count: filled) }
        filling = nil
        handoff.finishInput()
        shutDown()
        guard failure == nil else { return false }
        return destination.finish()
    }

    /// Stops and joins the compressor. Safe to call more than once.
    func shutDown() {
        isOpen = false
        guard let thread = compressor else { return }
        handoff.finishInput()
        thread.join()
        compressor = nil
    }
}

/// The compressing side: owns the zstd context and, while it runs, the destination.
private final class ZstdCompressor: @unchecked Sendable {
    private let context: OpaquePointer
    private let destination: any ArchiveByteSink
    private let path: String
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)

    init(context: OpaquePointer, destination: any ArchiveByteSink, path: String) {
        self.context = context
        self.destination = destination
        self.path = path
    }

    deinit {
        ZSTD_freeCCtx(context)
        output.deallocate()
    }

    func run(_ handoff: ZstdHandoff) {
        var healthy = true
        while let (slot, count) = handoff.takeFilledSlot() {
            // After a failure keep returning slots, so the producer never waits forever.
            if healthy { healthy = compress(UnsafeRawBufferPointer(rebasing: slot[0..<count]), end: false, handoff) }
            handoff.recycle(slot)
        }
        if healthy { _ = compress(UnsafeRawBufferPointer(start: nil, count: 0), end: true, handoff) }
    }

    private func compress(_ bytes: UnsafeRawBufferPointer, end: Bool, _ handoff: ZstdHandoff) -> Bool {
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while true {
            var out = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &out, &input, end ? ZSTD_e_end : ZSTD_e_continue)
            if ZSTD_isError(remaining) != 0 {
                handoff.fail(.io(operation: "zstd compress", path: path, message: String(cString: ZSTD_getErrorName(remaining))))
                return false
            }
            if out.pos > 0, !destination.append(UnsafeRawBufferPointer(rebasing: output[0..<out.pos])) {
                handoff.fail(destination.failure ?? .io(operation: "write", path: path, message: "archive output failed"))
                return false
            }
            let done = end ? remaining == 0 : input.pos == input.size
            if done { return true }
        }
    }
}

/// A ring of input buffers between the producer and the compressor; at most `slotCount`
/// blocks exist at once.
private final class ZstdHandoff: @unchecked Sendable {
    private let lock = ThreadLock()
    private let changed = ThreadCondition()
    private let storage: [UnsafeMutableRawBufferPointer]
    // Guarded by `lock`.
    private var free: [UnsafeMutableRawBufferPointer]
    private var queued: [(UnsafeMutableRawBufferPointer, Int)] = []
    private var inputFinished = false
    private var failed: ArchiveError?

    init(slotCount: Int, blockSize: Int) {
        storage = (0..<slotCount).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16) }
        free = storage
    }

    deinit { for buffer in storage { buffer.deallocate() } }

    var failure: ArchiveError? { lock.withLock { failed } }

    /// Producer: an empty slot, waiting for one; nil after a failure.
    func takeFreeSlot() -> UnsafeMutableRawBufferPointer? {
        lock.withLock {
            while free.isEmpty && failed == nil { changed.wait(releasing: lock) }
            return failed == nil ? free.removeLast() : nil
        }
    }

    func submit(_ slot: UnsafeMutableRawBufferPointer, count: Int) {
        lock.withLock {
            queued.append((slot, count))
            changed.broadcast()
        }
    }

    func finishInput() {
        lock.withLock {
            inputFinished = true
            changed.broadcast()
        }
    }

    /// Compressor: the next filled slot in order, or nil once the input is finished and drained.
    func takeFilledSlot() -> (UnsafeMutableRawBufferPointer, Int)? {
        lock.withLock {
            while queued.isEmpty && !inputFinished { changed.wait(releasing: lock) }
            return queued.isEmpty ? nil : queued.removeFirst()
        }
    }

    func recycle(_ slot: UnsafeMutableRawBufferPointer) {
        lock.withLock {
            free.append(slot)
            changed.broadcast()
        }
    }

    func fail(_ error: ArchiveError) {
        lock.withLock {
            if failed == nil { failed = error }
            changed.broadcast()
        }
    }
}
