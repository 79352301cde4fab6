import CZstd
import Foundation
import Testing
@testable import SlipwayArchive

/// tzst bytes must depend only on the tar stream: not on how libarchive cuts its writes, nor
/// on the compressing thread's timing.
@Suite("zstd stage")
struct ZstdStreamWriterTests {
    @Test("the same stream cut differently gives identical zstd bytes that decode to the input")
    func outputIndependentOfWriteSizes() throws {
        // Several MiB, so many 1 MiB hand-offs and 128 KiB zstd blocks are crossed.
        var generator = SplitMix(seed: 7)
        let input = (0..<(5 << 20) + 12_345).map { index -> UInt8 in
            index % 3 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : UInt8(truncatingIfNeeded: index / 512)
        }
        let whole = try compress(input, cuts: [input.count])
        let small = try compress(input, cuts: [1, 10_240, 4096, 65_536, 1 << 20, 7])
        let odd = try compress(input, cuts: [999_983, 3])
        #expect(whole == small)
        #expect(whole == odd)
        #expect(whole.count < input.count)
        #expect(try decompress(whole, expectedSize: input.count) == input)
    }

    @Test("a failing destination is reported, and the writer stops without hanging")
    func destinationFailure() throws {
        let sink = ZstdTestSink(failAfter: 1)
        let writer = try ZstdStreamWriter(destination: sink, path: "/tmp/out.tzst", level: 3)
        var generator = SplitMix(seed: 1)
        let block = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var accepted = true
        for _ in 0..<16 where accepted { accepted = block.withUnsafeBytes { writer.append($0) } }
        let finished = writer.finish()
        #expect(!(accepted && finished))
        #expect(writer.failure != nil)
    }

    private func compress(_ input: [UInt8], cuts: [Int]) throws -> [UInt8] {
        let sink = ZstdTestSink()
        let writer = try ZstdStreamWriter(destination: sink, path: "/tmp/out.tzst", level: 3)
        var offset = 0
        var cut = 0
        while offset < input.count {
            let count = min(cuts[cut % cuts.count], input.count - offset)
            let ok = input.withUnsafeBytes { writer.append(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
            try #require(ok)
            offset += count
            cut += 1
        }
        try #require(writer.finish())
        #expect(sink.finished)
        return sink.bytes
    }

    private func decompress(_ frame: [UInt8], expectedSize: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        let size = output.withUnsafeMutableBytes { out in
            frame.withUnsafeBytes { ZSTD_decompress(out.baseAddress, out.count, $0.baseAddress, $0.count) }
        }
        try #require(ZSTD_isError(size) == 0)
        return Array(output[0..<size])
    }
}

private final class ZstdTestSink: ArchiveByteSink {
    var bytes: [UInt8] = []
    var finished = false
    var failure: ArchiveError?
    private var appendsLeft: Int

    init(failAfter: Int = .max) { appendsLeft = failAfter }

    func append(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard appendsLeft > 0 else {
            failure = .io(operation: "write", path: "/tmp/out.tzst", message: "disk full")
            return false
        }
        appendsLeft -= 1
        bytes.append(contentsOf: buffer)
        return true
    }

    func finish() -> Bool {
        finished = true
        return failure == nil
    }
}

private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
