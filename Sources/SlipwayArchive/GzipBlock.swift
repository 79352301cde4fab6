#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One block of the parallel gzip stream: up to `blockSize` input bytes, the 32 KiB of input
/// just before them (the deflate dictionary), and, once compressed, the raw deflate output and
/// the CRC-32 of the input.
///
/// Buffers are allocated once and reused for every block that passes through this slot.
/// Ownership moves producer → worker → producer through `GzipBlockQueue`'s lock, so exactly one
/// thread touches a block's contents at any time (hence `@unchecked Sendable`).
final class GzipBlock: @unchecked Sendable {
    /// Deflate's window: back-references never reach further than this.
    static let dictionarySize = 32 * 1024

    let input: UnsafeMutableRawBufferPointer
    var inputCount = 0
    let dictionary: UnsafeMutableRawBufferPointer
    var dictionaryCount = 0
    /// The last block ends the deflate stream (Z_FINISH); others end on a byte boundary.
    var isLast = false

    private(set) var output: UnsafeMutableRawBufferPointer
    var outputCount = 0
    var checksum: UInt = 0
    /// Set by the worker when zlib refused the block.
    var failure: String?

    init(blockSize: Int) {
        input = .allocate(byteCount: blockSize, alignment: 16)
        dictionary = .allocate(byteCount: Self.dictionarySize, alignment: 16)
        // Room for an incompressible block plus deflate's framing; `reserveOutput` grows it
        // should zlib ever need more.
        output = .allocate(byteCount: blockSize + blockSize / 8 + 1024, alignment: 16)
    }

    deinit {
        input.deallocate()
        dictionary.deallocate()
        output.deallocate()
    }

    var filledInput: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: input[0..<inputCount]) }
    var filledDictionary: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: dictionary[0..<dictionaryCount]) }
    var compressed: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: output[0..<outputCount]) }

    /// Makes sure at least `free` bytes follow `outputCount` in `output`.
    func reserveOutput(free: Int) {
        guard output.count - outputCount < free else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(output.count * 2, outputCount + free),
                                                            alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: output[0..<outputCount]))
        output.deallocate()
        output = larger
    }

    /// Prepares the slot for the next block, whose dictionary is the tail of `previous`.
    func reset(after previous: GzipBlock?) {
        inputCount = 0
        outputCount = 0
        isLast = false
        failure = nil
        checksum = 0
        dictionaryCount = 0
        guard let previous else { return }
        let count = min(Self.dictionarySize, previous.inputCount)
        dictionary.copyMemory(from: UnsafeRawBufferPointer(rebasing: previous.input[(previous.inputCount - count)..<previous.inputCount]))
        dictionaryCount = count
    }
}
