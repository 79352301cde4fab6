/// Hands blocks from the producer to the compression threads and back.
///
/// Blocks live in a fixed ring of slots; block number n always uses slot n % slots.count, and
/// the producer reuses a slot only after writing the block it held, so at most `slots.count`
/// blocks exist at once whatever the archive size. Workers take blocks in submission order;
/// they may finish out of order, the producer writes them in order.
final class GzipBlockQueue: @unchecked Sendable {
    let slots: [GzipBlock]
    private let lock = ThreadLock()
    private let blockQueued = ThreadCondition()
    private let blockCompressed = ThreadCondition()
    // All guarded by `lock`.
    private var submitted = 0
    private var claimed = 0
    private var compressed: [Bool]
    private var closed = false

    init(slotCount: Int, blockSize: Int) {
        slots = (0..<slotCount).map { _ in GzipBlock(blockSize: blockSize) }
        compressed = Array(repeating: false, count: slotCount)
    }

    func slot(for sequence: Int) -> GzipBlock { slots[sequence % slots.count] }

    /// Producer: block `sequence` (the next in order) is filled and ready for a worker.
    func submit(_ sequence: Int) {
        lock.withLock {
            precondition(sequence == submitted, "blocks are submitted in order")
            compressed[sequence % slots.count] = false
            submitted += 1
            blockQueued.signal()
        }
    }

    /// Producer: waits until block `sequence` is compressed (immediately false if not when
    /// `wait` is false).
    func isCompressed(_ sequence: Int, wait: Bool) -> Bool {
        lock.withLock {
            while wait && !compressed[sequence % slots.count] { blockCompressed.wait(releasing: lock) }
            return compressed[sequence % slots.count]
        }
    }

    /// Worker: the sequence number of the next block to compress, or nil once the queue is closed.
    func claim() -> Int? {
        lock.withLock {
            while !closed && claimed == submitted { blockQueued.wait(releasing: lock) }
            guard !closed else { return nil }
            defer { claimed += 1 }
            return claimed
        }
    }

    /// Worker: block `sequence` is compressed (or failed) and goes back to the producer.
    func complete(_ sequence: Int) {
        lock.withLock {
            compressed[sequence % slots.count] = true
            blockCompressed.signal()
        }
    }

    /// Releases the workers; blocks still queued are dropped (only happens on failure, since
    /// `finish` waits for every block first).
    func close() {
        lock.withLock {
            closed = true
            blockQueued.broadcast()
        }
    }
}
