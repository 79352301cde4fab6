import CZlib
import Foundation

/// CRC-32 (IEEE 802.3, the zlib polynomial) for `x-amz-checksum-crc32`. zlib computes it
/// (gigabytes per second): a multipart upload checksums every byte of the file.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = UInt32(truncatingIfNeeded: crc32_z(UInt(value), base.assumingMemoryBound(to: UInt8.self), bytes.count))
    }

    /// Base64 of the big-endian value, as S3 expects.
    var base64: String {
        Data([UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]).base64EncodedString()
    }

    static func base64(_ data: Data) -> String {
        var crc = CRC32()
        data.withUnsafeBytes { crc.update($0) }
        return crc.base64
    }
}
