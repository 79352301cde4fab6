/// Percent-encoding exactly as SigV4 defines it: every byte except the unreserved set
/// `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex. Foundation's encoders keep other
/// characters (`+`, `=`, `:`...) that SigV4 requires encoded, so they cannot be used.
public enum AWSURIEncoding {
    /// Encodes one query key/value or path segment.
    public static func encode(_ string: String) -> String {
        encode(Array(string.utf8), keepSlash: false)
    }

    /// Encodes a path, keeping `/` separators (an S3 key may contain `/`).
    public static func encodePath(_ path: String) -> String {
        encode(Array(path.utf8), keepSlash: true)
    }

    /// Decodes `%XX` escapes; malformed escapes are kept literally, because a canonical form
    /// must be computable for any request a caller can send.
    public static func decode(_ string: String) -> String {
        let bytes = Array(string.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func encode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
