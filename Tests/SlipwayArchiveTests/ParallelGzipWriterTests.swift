import Foundation
import Testing
@testable import SlipwayArchive

@Suite struct ParallelGzipWriterTests {
    /// Small blocks so a modest input crosses many block boundaries (and dictionary hand-overs).
    private let smallBlock = 32 * 1024

    @Test func outputIsTheSameForAnyThreadCountAndRoundTripsThroughGzip() throws {
        let scratch = try Scratch()
        let input = mixedBytes(count: 20 * smallBlock + 1234)
        let single = try parallelGzip(input, threads: 1, blockSize: smallBlock)
        #expect(try parallelGzip(input, threads: 2, blockSize: smallBlock) == single)
        #expect(try parallelGzip(input, threads: 4, blockSize: smallBlock) == single)
        try writeBytes(single, to: scratch.sub("out.gz"))
        #expect(try runTool("/bin/gzip", ["-t", scratch.sub("out.gz")]).status == 0)
        #expect(try gunzip(scratch.sub("out.gz")) == input)
    }

    @Test func howTheInputIsChoppedIntoAppendsDoesNotMatter() throws {
        let input = mixedBytes(count: 5 * smallBlock + 77)
        let reference = try parallelGzip(input, threads: 2, blockSize: smallBlock, chunk: input.count)
        for chunk in [1, 511, 10_240, smallBlock, smallBlock + 1] {
            #expect(try parallelGzip(input, threads: 2, blockSize: smallBlock, chunk: chunk) == reference, "chunk \(chunk)")
        }
    }

    /// The dictionary is what keeps block-wise compression close to one continuous stream:
    /// repeated 20 KiB records compress to almost nothing only if each block sees the previous
    /// input.
    @Test func blocksReferenceThePreviousBlocksInput() throws {
        let record = mixedBytes(count: 20 * 1024, seed: 42).suffix(20 * 1024 / 2)  // the random half
        var input: [UInt8] = []
        while input.count < 16 * smallBlock { input += record }
        let compressed = try parallelGzip(input, threads: 2, blockSize: smallBlock)
        #expect(compressed.count < input.count / 20, "\(compressed.count) bytes for \(input.count)")
    }

    @Test func emptyInputGivesAValidEmptyGzip() throws {
        let scratch = try Scratch()
        let output = try parallelGzip([], threads: 2)
        #expect(try parallelGzip([], threads: 1) == output)
        // Header, the 2-byte final empty deflate block, CRC 0, ISIZE 0.
        #expect(output == ParallelGzipWriter.header(level: 6) + [0x03, 0x00] + [UInt8](repeating: 0, count: 8))
        try writeBytes(output, to: scratch.sub("empty.gz"))
        #expect(try gunzip(scratch.sub("empty.gz")) == [])
    }

    @Test func inputOfWholeBlocksEndsWithAnEmptyFinalBlock() throws {
        let scratch = try Scratch()
        let input = mixedBytes(count: 4 * smallBlock)
        let output = try parallelGzip(input, threads: 2, blockSize: smallBlock)
        #expect(try parallelGzip(input, threads: 1, blockSize: smallBlock) == output)
        #expect(try parallelGzip(input, threads: 4, blockSize: smallBlock) == output)
        // The last sync-flushed block ends in 00 00 ff ff; the final block holds no data.
        #expect(Array(output.suffix(14)) == [0x00, 0x00, 0xff, 0xff, 0x03, 0x00] + Array(output.suffix(8)))
        try writeBytes(output, to: scratch.sub("whole.gz"))
        #expect(try gunzip(scratch.sub("whole.gz")) == input)
    }

    @Test func trailerHoldsTheCRCAndSizeOfTheInput() throws {
        let input = Array("hello, gzip\n".utf8)
        let output = try parallelGzip(input, threads: 2)
        let trailer = Array(output.suffix(8))
        let crc = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        #expect(crc == referenceCRC32(input))
        #expect(Array(trailer[4...]) == [UInt8(input.count), 0, 0, 0])
    }

    @Test(arguments: [0, 1, 9])
    func everyLevelGivesValidOutputAndSetsTheHeader(level: Int) throws {
        let scratch = try Scratch()
        let input = mixedBytes(count: 3 * smallBlock + 5)
        let output = try parallelGzip(input, threads: 2, blockSize: smallBlock, level: level)
        #expect(try parallelGzip(input, threads: 1, blockSize: smallBlock, level: level) == output)
        #expect(output[8] == [0: 0, 1: 4, 9: 2][level], "XFL byte")
        try writeBytes(output, to: scratch.sub("l.gz"))
        #expect(try gunzip(scratch.sub("l.gz")) == input)
        if level == 0 { #expect(output.count > input.count, "level 0 stores") }
    }

    @Test func invalidLevelIsRejected() {
        #expect(throws: ArchiveError.invalidOption("gzip compression level 10 is outside 0...9")) {
            try ParallelGzipWriter(destination: MemorySink(), path: "memory", level: 10, threads: 1)
        }
    }

    @Test func destinationFailureStopsTheWriterAndIsReported() throws {
        let sink = MemorySink(capacity: 1000)
        let writer = try ParallelGzipWriter(destination: sink, path: "memory", level: 6, threads: 2,
                                            blockSize: smallBlock)
        let input = mixedBytes(count: 40 * smallBlock)
        var accepted = true
        var offset = 0
        while accepted && offset < input.count {
            accepted = input[offset..<min(offset + 10_240, input.count)].withUnsafeBytes { writer.append($0) }
            offset += 10_240
        }
        #expect(!accepted, "the full sink must surface through append")
        #expect(writer.failure == .io(operation: "write", path: "memory", message: "full"))
        #expect(!writer.finish())
        #expect(sink.finishCount == 0)
    }

    /// Abandoning a stream half-way (packaging failed) must stop the threads, not hang.
    @Test func shutDownWithoutFinishReturnsAndRefusesMoreInput() throws {
        let sink = MemorySink()
        let writer = try ParallelGzipWriter(destination: sink, path: "memory", level: 6, threads: 3,
                                            blockSize: smallBlock)
        let input = mixedBytes(count: 10 * smallBlock + 3)
        #expect(input.withUnsafeBytes { writer.append($0) })
        writer.shutDown()
        writer.shutDown()
        #expect(!input.withUnsafeBytes { writer.append($0) })
        #expect(!writer.finish())
        #expect(sink.finishCount == 0)
    }

    /// Bitwise CRC-32 (IEEE, reflected), independent of zlib.
    private func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
