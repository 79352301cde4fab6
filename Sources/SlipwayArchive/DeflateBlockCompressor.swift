import CZlib

/// A raw deflate stream owned by one worker thread and reset for every block it compresses.
///
/// Each block is compressed on its own, primed with the 32 KiB of input before it, so the
/// output depends only on the block's bytes, that dictionary and the level: never on which
/// thread ran it or when. Non-last blocks end with a sync flush (byte-aligned, no final bit),
/// so the pieces concatenate into one valid deflate stream, exactly like pigz.
final class DeflateBlockCompressor: @unchecked Sendable {
    /// zlib keeps a pointer back to the z_stream and checks it, so the stream must never move:
    /// it lives on the heap rather than in a Swift stored property.
    private let stream: UnsafeMutablePointer<z_stream>

    /// nil when zlib cannot set up a stream (out of memory).
    init?(level: Int) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard slipway_deflate_init_raw(stream, Int32(level)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Fills `block.output`/`outputCount` and `block.checksum`, or sets `block.failure`.
    func compress(_ block: GzipBlock) {
        block.checksum = block.inputCount == 0 ? 0 : crc32(0, block.input.baseAddress!.assumingMemoryBound(to: Bytef.self),
                                                           uInt(block.inputCount))
        guard deflateReset(stream) == Z_OK else { return block.failure = "deflateReset failed" }
        if block.dictionaryCount > 0 {
            let status = deflateSetDictionary(stream, block.dictionary.baseAddress!.assumingMemoryBound(to: Bytef.self),
                                              uInt(block.dictionaryCount))
            guard status == Z_OK else { return block.failure = "deflateSetDictionary returned \(status)" }
        }
        stream.pointee.next_in = block.inputCount == 0 ? nil : block.input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(block.inputCount)
        let flush = block.isLast ? Z_FINISH : Z_SYNC_FLUSH
        block.outputCount = 0
        // The output buffer exceeds deflate's worst case, so one call normally suffices; the
        // loop only covers zlib asking for more room.
        while true {
            block.reserveOutput(free: 256)
            let room = block.output.count - block.outputCount
            stream.pointee.next_out = (block.output.baseAddress! + block.outputCount).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let status = deflate(stream, flush)
            block.outputCount += room - Int(stream.pointee.avail_out)
            if status == Z_STREAM_END { return }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                return block.failure = "deflate returned \(status)"
            }
            if stream.pointee.avail_out > 0 {
                // A sync flush is complete once zlib leaves output room unused.
                if !block.isLast && stream.pointee.avail_in == 0 { return }
                // Room left yet nothing done: calling again would spin forever.
                if status == Z_BUF_ERROR { return block.failure = "deflate made no progress" }
            }
        }
    }
}
