import Foundation

/// A byte range of an open file, sent as a request body without loading it into memory.
/// The descriptor belongs to the caller and must stay open until the request returns; it is
/// read with `pread`, so concurrent requests (multipart parts) can share one descriptor.
public struct AWSFileRange: Sendable, Hashable {
    public var descriptor: Int32
    public var offset: Int
    public var length: Int

    public init(descriptor: Int32, offset: Int, length: Int) {
        self.descriptor = descriptor
        self.offset = offset
        self.length = length
    }

    /// Calls `body` with consecutive chunks of the range (one reused buffer of `chunkSize`).
    public func forEachChunk(chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard length > 0 else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunkSize, length), alignment: 16)
        defer { buffer.deallocate() }
        var done = 0
        while done < length {
            let count = try read(into: buffer.baseAddress!, maxCount: min(buffer.count, length - done), at: done)
            try body(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
            done += count
        }
    }

    /// Reads up to `maxCount` bytes at `position` (relative to `offset`); returns how many.
    /// A file that ends before the range does is an error: the server would get a short body.
    func read(into destination: UnsafeMutableRawPointer, maxCount: Int, at position: Int) throws -> Int {
        while true {
            let count = pread(descriptor, destination, maxCount, off_t(offset + position))
            if count > 0 { return count }
            if count == 0 { throw POSIXError(.EIO) } // the file shrank under us
            if errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }
}

/// A signed request as it goes on the wire: what `AWSClient` hands to its transport.
public struct HTTPWireRequest: Sendable {
    public enum Body: Sendable {
        case none
        case data(Data)
        case file(AWSFileRange)

        var length: Int {
            switch self {
            case .none: return 0
            case .data(let data): return data.count
            case .file(let range): return range.length
            }
        }
    }

    public var method: String
    public var url: String
    /// Every header that is sent, Host and the signature included.
    public var headers: [HTTPHeader]
    public var body: Body

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Any HTTP response, before the client decides whether it is a success.
struct HTTPWireResponse: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    /// The body, or for a download to a file only an error document (the success went to the file).
    var body: Data
}

/// Where a response body goes.
enum HTTPResponseSink: Sendable {
    case memory
    /// A 2xx body is streamed into this file (created or truncated); other bodies stay in memory
    /// for the error parser.
    case file(URL)
}

/// The transfer failed below HTTP: no complete response arrived.
struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// True when trying again may work (refused, reset, timed out, truncated).
    var isConnectionError: Bool
    var message: String
    var description: String { message }
}
