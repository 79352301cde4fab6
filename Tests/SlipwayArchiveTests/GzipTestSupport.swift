import Foundation
import Testing
@testable import SlipwayArchive

/// An in-memory end of the output chain, optionally failing once it holds `capacity` bytes.
final class MemorySink: ArchiveByteSink {
    private(set) var bytes: [UInt8] = []
    private(set) var finishCount = 0
    private(set) var failure: ArchiveError?
    private let capacity: Int?

    init(capacity: Int? = nil) { self.capacity = capacity }

    func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if let capacity, bytes.count + chunk.count > capacity {
            failure = .io(operation: "write", path: "memory", message: "full")
            return false
        }
        bytes += chunk
        return true
    }

    func finish() -> Bool {
        finishCount += 1
        return failure == nil
    }
}

/// Gzips `input` through `ParallelGzipWriter`, feeding it in `chunk`-sized appends.
func parallelGzip(_ input: [UInt8], threads: Int, blockSize: Int = ParallelGzipWriter.defaultBlockSize,
                  level: Int = 6, chunk: Int = 10_240) throws -> [UInt8] {
    let sink = MemorySink()
    let writer = try ParallelGzipWriter(destination: sink, path: "memory", level: level, threads: threads,
                                        blockSize: blockSize)
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + chunk)
        let accepted = input[offset..<end].withUnsafeBytes { writer.append($0) }
        try #require(accepted)
        offset = end
    }
    try #require(writer.finish())
    #expect(sink.finishCount == 1)
    return sink.bytes
}

/// Text lines with repeats (compressible) followed by pseudo-random bytes (incompressible),
/// the same for a given seed on every run.
func mixedBytes(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    var line = 0
    while bytes.count < count / 2 {
        bytes += Array("line \(line % 977): the quick brown fox jumps over lazy dog \(line * 7919 % 1000)\n".utf8)
        line += 1
    }
    var state = seed
    while bytes.count < count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes.append(UInt8(truncatingIfNeeded: state))
    }
    return Array(bytes.prefix(count))
}

struct ToolRun {
    let status: Int32
    let output: Data
    let errors: String
}

/// Runs a system tool (gzip, tar) to check our archives against independent readers.
func runTool(_ executable: String, _ arguments: [String]) throws -> ToolRun {
    let process = Process()
    let output = Pipe()
    let errors = Pipe()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Drain stdout before waiting, or a large output would block the tool forever; stderr
    // (a few lines at most from gzip/tar) fits in the pipe buffer meanwhile.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolRun(status: process.terminationStatus, output: outputData,
                   errors: String(decoding: errorData, as: UTF8.self))
}

/// What `gzip -dc` makes of a gzip file; also requires gzip to find it valid.
func gunzip(_ path: String) throws -> [UInt8] {
    let run = try runTool("/bin/gzip", ["-dc", path])
    try #require(run.status == 0, "gzip -dc failed: \(run.errors)")
    return [UInt8](run.output)
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
