#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where renderers write. Each `write` is one chunk that must not be interleaved with another
/// writer's; renderers call it once per event.
public protocol TextOutput: Sendable {
    func write(_ text: String)
}

/// Writes to a file descriptor with plain write(2): no buffering, so output shows up at once
/// and nothing is lost if the process is killed right after.
public struct FileHandleOutput: TextOutput {
    public let fd: Int32

    public init(_ fd: Int32) { self.fd = fd }

    public static let standardOutput = FileHandleOutput(1)
    public static let standardError = FileHandleOutput(2)

    public func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(fd, buffer.baseAddress, buffer.count)
                #else
                Darwin.write(fd, buffer.baseAddress, buffer.count)
                #endif
            }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return  // A closed terminal or pipe: nothing sensible left to do with output.
            }
        }
    }
}

/// Collects everything written, for tests.
public final class CapturedOutput: TextOutput {
    private let captured = Mutex<String>("")

    public init() {}

    public func write(_ text: String) {
        captured.withLock { $0 += text }
    }

    public var text: String { captured.withLock { $0 } }
}
