import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds a lock, for humans reading `slipway lock status`: `user@hostname pid N`.
public enum HolderIdentity {
    public static var current: String { "\(userName)@\(hostName) pid \(getpid())" }

    static var userName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid\(geteuid())"
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
