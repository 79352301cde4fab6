import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a zip archive as one stream, in memory that does not grow with the number of entries.
///
/// A zip file ends with a central directory: one record per entry, written after all the data.
/// libarchive's zip writer keeps those records in memory until the archive is closed (≈130 bytes
/// per entry: 68 MiB of a process for 200,000 files); here each record goes to an unlinked
/// temporary file as its entry ends, and is copied to the output at the end.
///
/// Deterministic by construction: no timestamps (every entry is dated 1980-01-01 00:00, the
/// first date zip can hold), no owners, no extra fields except Zip64's where sizes or offsets
/// need it, UTF-8 names (flag bit 11), Unix modes in the external attributes. Files are
/// deflated (raw deflate, the level given; level 0 gives stored deflate blocks) with their
/// CRC-32 and sizes in a data descriptor after the data (flag bit 3), so nothing is written
/// twice; directories and symlinks (the link target as content) are stored with their sizes
/// and CRC-32 in the header.
final class ZipStreamWriter {
    private let output: any ArchiveByteSink
    private let outputPath: String
    private let spool: Int32
    private var spoolBuffer: [UInt8] = []
    private var spoolSize: Int64 = 0
    private var entryCount: Int64 = 0
    /// Bytes handed to `output` so far: the offset of whatever comes next.
    private var offset: Int64 = 0
    private let stream: UnsafeMutablePointer<z_stream>
    private let deflated: UnsafeMutableRawBufferPointer
    private var file: OpenFile?

    /// The file entry between `beginFile` and `endFile`.
    private struct OpenFile {
        let name: [UInt8]
        let mode: UInt32
        let headerOffset: Int64
        let zip64: Bool
        var crc: UInt = crc32(0, nil, 0)
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
    }

    /// Files above this use Zip64 sizes: deflate can grow incompressible data by ≈0.03%, so the
    /// margin below 4 GiB keeps a 32-bit compressed size from overflowing unnoticed.
    static let zip64FileSize: Int64 = 0xFF00_0000
    /// `zip64FileSize`, lowered by tests to reach the Zip64 records without 4 GiB files.
    private let zip64Above: Int64
    private static let max32: Int64 = 0xFFFF_FFFF
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1  // 1980-01-01
    private static let utf8Names: UInt16 = 1 << 11
    private static let dataDescriptor: UInt16 = 1 << 3
    private static let madeByUnix: UInt16 = (3 << 8) | 45

    /// `spoolDirectory`: where the central directory waits (the output's folder).
    init(output: any ArchiveByteSink, outputPath: String, level: Int, spoolDirectory: String,
         zip64Above: Int64 = ZipStreamWriter.zip64FileSize) throws(ArchiveError) {
        self.output = output
        self.zip64Above = zip64Above
        self.outputPath = outputPath
        let (spoolPath, fd) = try POSIX.makeTemporaryFile(prefix: spoolDirectory + "/.zip-directory-")
        unlink(spoolPath)
        spool = fd
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        deflated = .allocate(byteCount: 256 << 10, alignment: 16)
        guard slipway_deflate_init_raw(stream, Int32(level)) == Z_OK else {
            close(fd)
            throw .libarchive(operation: "start deflate", message: "zlib could not set up a stream")
        }
        spoolBuffer.reserveCapacity(64 << 10)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        deflated.deallocate()
        close(spool)
    }

    func addDirectory(_ path: String) throws(ArchiveError) {
        try addStored(name: Self.checkedName(path + "/"), mode: UInt32(S_IFDIR) | 0o755, content: [])
    }

    func addSymlink(_ path: String, target: String) throws(ArchiveError) {
        try addStored(name: Self.checkedName(path), mode: UInt32(S_IFLNK) | 0o777, content: Array(target.utf8))
    }

    /// A zip name field holds at most 65,535 bytes (a walk cannot reach such paths: the kernel
    /// refuses paths over 4,096 bytes first; this keeps a field from ever being cut short).
    private static func checkedName(_ path: String) throws(ArchiveError) -> [UInt8] {
        let name = Array(path.utf8)
        guard name.count <= 0xFFFF else {
            throw .invalidOption("\(path.prefix(80))…: a name longer than 65,535 bytes cannot be stored in a zip")
        }
        return name
    }

    /// Starts a file of `size` bytes (from the walk's lstat: it decides whether the entry needs Zip64).
    func beginFile(_ path: String, executable: Bool, size: Int64) throws(ArchiveError) {
        let name = try Self.checkedName(path)
        let zip64 = size > zip64Above
        let open = OpenFile(name: name, mode: UInt32(S_IFREG) | (executable ? 0o755 : 0o644), headerOffset: offset, zip64: zip64)
        var header = LittleEndianBytes()
        header.u32(0x0403_4b50)
        header.u16(zip64 ? 45 : 20)
        header.u16(Self.utf8Names | Self.dataDescriptor)
        header.u16(8)  // deflate
        header.u16(0)
        header.u16(Self.dosDate)
        header.u32(0)  // CRC-32, sizes: in the data descriptor
        header.u32(zip64 ? 0xFFFF_FFFF : 0)
        header.u32(zip64 ? 0xFFFF_FFFF : 0)
        header.u16(UInt16(name.count))
        header.u16(zip64 ? 20 : 0)
        header.append(name)
        if zip64 {
            header.u16(0x0001)
            header.u16(16)
            header.u64(0)
            header.u64(0)
        }
        try emit(header.bytes)
        guard deflateReset(stream) == Z_OK else { throw .libarchive(operation: "deflate", message: "deflateReset failed") }
        file = open
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(ArchiveError) {
        guard var open = file else { return }
        if chunk.count > 0 {
            open.crc = crc32_z(open.crc, chunk.baseAddress!.assumingMemoryBound(to: Bytef.self), chunk.count)
            open.uncompressed += Int64(chunk.count)
        }
        file = open
        try deflate(chunk, finish: false)
    }

    func endFile() throws(ArchiveError) {
        try deflate(UnsafeRawBufferPointer(start: nil, count: 0), finish: true)
        guard let open = file else { return }
        file = nil
        var descriptor = LittleEndianBytes()
        descriptor.u32(0x0807_4b50)
        descriptor.u32(UInt32(open.crc))
        if open.zip64 {
            descriptor.u64(UInt64(open.compressed))
            descriptor.u64(UInt64(open.uncompressed))
        } else {
            guard open.compressed <= Self.max32, open.uncompressed <= Self.max32 else {
                throw .fileChangedWhileReading(path: String(decoding: open.name, as: UTF8.self))
            }
            descriptor.u32(UInt32(open.compressed))
            descriptor.u32(UInt32(open.uncompressed))
        }
        try emit(descriptor.bytes)
        try record(name: open.name, mode: open.mode, method: 8, flags: Self.utf8Names | Self.dataDescriptor, crc: UInt32(open.crc),
                   compressed: open.compressed, uncompressed: open.uncompressed, headerOffset: open.headerOffset,
                   zip64Sizes: open.zip64)
    }

    /// Appends the central directory and its end records.
    func finish() throws(ArchiveError) {
        try flushSpool()
        let directoryOffset = offset
        guard lseek(spool, 0, SEEK_SET) == 0 else { throw spoolError("seek") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = spoolSize
        while remaining > 0 {
            let count = read(spool, buffer.baseAddress, min(buffer.count, Int(remaining)))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw spoolError("read") }
            try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            remaining -= Int64(count)
        }
        let directorySize = spoolSize
        var end = LittleEndianBytes()
        let needsZip64 = entryCount >= 0xFFFF || directorySize >= Self.max32 || directoryOffset >= Self.max32
        if needsZip64 {
            let zip64EndOffset = offset
            end.u32(0x0606_4b50)
            end.u64(44)  // size of the rest of this record
            end.u16(Self.madeByUnix)
            end.u16(45)
            end.u32(0)
            end.u32(0)
            end.u64(UInt64(entryCount))
            end.u64(UInt64(entryCount))
            end.u64(UInt64(directorySize))
            end.u64(UInt64(directoryOffset))
            end.u32(0x0706_4b50)  // locator
            end.u32(0)
            end.u64(UInt64(zip64EndOffset))
            end.u32(1)
        }
        end.u32(0x0605_4b50)
        end.u16(0)
        end.u16(0)
        end.u16(UInt16(min(entryCount, 0xFFFF)))
        end.u16(UInt16(min(entryCount, 0xFFFF)))
        end.u32(UInt32(min(directorySize, Self.max32)))
        end.u32(UInt32(min(directoryOffset, Self.max32)))
        end.u16(0)
        try emit(end.bytes)
    }

    // MARK: Entries

    private func addStored(name: [UInt8], mode: UInt32, content: [UInt8]) throws(ArchiveError) {
        let crc = content.withUnsafeBytes { raw in
            UInt32(crc32_z(crc32(0, nil, 0), raw.baseAddress?.assumingMemoryBound(to: Bytef.self), raw.count))
        }
        let headerOffset = offset
        var header = LittleEndianBytes()
        header.u32(0x0403_4b50)
        header.u16(content.isEmpty ? 10 : 20)
        header.u16(Self.utf8Names)
        header.u16(0)  // stored
        header.u16(0)
        header.u16(Self.dosDate)
        header.u32(crc)
        header.u32(UInt32(content.count))
        header.u32(UInt32(content.count))
        header.u16(UInt16(name.count))
        header.u16(0)
        header.append(name)
        header.append(content)
        try emit(header.bytes)
        try record(name: name, mode: mode, method: 0, flags: Self.utf8Names, crc: crc, compressed: Int64(content.count),
                   uncompressed: Int64(content.count), headerOffset: headerOffset, zip64Sizes: false)
    }

    /// One central directory record, to the spool.
    private func record(name: [UInt8], mode: UInt32, method: UInt16, flags: UInt16, crc: UInt32,
                        compressed: Int64, uncompressed: Int64, headerOffset: Int64, zip64Sizes: Bool) throws(ArchiveError) {
        let zip64Offset = headerOffset >= Self.max32
        var extra = LittleEndianBytes()
        if zip64Sizes || zip64Offset {
            extra.u16(0x0001)
            extra.u16(UInt16((zip64Sizes ? 16 : 0) + (zip64Offset ? 8 : 0)))
            if zip64Sizes {
                extra.u64(UInt64(uncompressed))
                extra.u64(UInt64(compressed))
            }
            if zip64Offset { extra.u64(UInt64(headerOffset)) }
        }
        let isDirectory = mode & UInt32(S_IFMT) == UInt32(S_IFDIR)
        var entry = LittleEndianBytes()
        entry.u32(0x0201_4b50)
        entry.u16(Self.madeByUnix)
        entry.u16(extra.bytes.isEmpty ? (method == 0 && uncompressed == 0 ? 10 : 20) : 45)
        entry.u16(flags)
        entry.u16(method)
        entry.u16(0)
        entry.u16(Self.dosDate)
        entry.u32(crc)
        entry.u32(zip64Sizes ? 0xFFFF_FFFF : UInt32(compressed))
        entry.u32(zip64Sizes ? 0xFFFF_FFFF : UInt32(uncompressed))
        entry.u16(UInt16(name.count))
        entry.u16(UInt16(extra.bytes.count))
        entry.u16(0)  // comment
        entry.u16(0)  // disk
        entry.u16(0)  // internal attributes
        entry.u32(mode << 16 | (isDirectory ? 0x10 : 0))  // Unix mode; MS-DOS directory bit
        entry.u32(zip64Offset ? 0xFFFF_FFFF : UInt32(headerOffset))
        entry.append(name)
        entry.append(extra.bytes)
        spoolBuffer += entry.bytes
        spoolSize += Int64(entry.bytes.count)
        entryCount += 1
        if spoolBuffer.count >= 64 << 10 { try flushSpool() }
    }

    // MARK: Output

    private func deflate(_ input: UnsafeRawBufferPointer, finish: Bool) throws(ArchiveError) {
        stream.pointee.next_in = input.count == 0 ? nil : UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = deflated.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(deflated.count)
            let status = CZlib.deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw .libarchive(operation: "deflate", message: "zlib returned \(status)")
            }
            let produced = deflated.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                try emit(UnsafeRawBufferPointer(rebasing: deflated[0..<produced]))
                file?.compressed += Int64(produced)
            }
            if finish ? status == Z_STREAM_END : (stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0) { return }
        }
    }

    private func emit(_ bytes: [UInt8]) throws(ArchiveError) {
        try accepted(bytes.withUnsafeBytes { output.append($0) }, count: bytes.count)
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
        try accepted(output.append(bytes), count: bytes.count)
    }

    private func accepted(_ ok: Bool, count: Int) throws(ArchiveError) {
        guard ok else { throw output.failure ?? .io(operation: "write", path: outputPath, message: "the output refused the bytes") }
        offset += Int64(count)
    }

    private func flushSpool() throws(ArchiveError) {
        guard spoolBuffer.withUnsafeBytes({ POSIX.writeAll(spool, $0) }) else { throw spoolError("write") }
        spoolBuffer.removeAll(keepingCapacity: true)
    }

    private func spoolError(_ operation: String) -> ArchiveError {
        .io(operation: "\(operation) the zip directory spool", path: outputPath, message: POSIX.errorMessage())
    }
}
