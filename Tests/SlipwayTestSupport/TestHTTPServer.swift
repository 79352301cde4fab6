import Foundation
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) for fake AWS endpoints. One connection
/// at a time, `Connection: close` after every response: enough for metadata services and error
/// injection, and nothing to clean up but one socket and one thread.
public final class TestHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// Path and query as received.
        public var target: String
        /// Lower-cased names.
        public var headers: [String: String]
        public var body: Data
        public var path: String { String(target.prefix { $0 != "?" }) }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String] = [:]
        public var body: Data = Data()

        public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func text(_ status: Int, _ body: String, contentType: String = "text/plain") -> Response {
            Response(status: status, headers: ["Content-Type": contentType], body: Data(body.utf8))
        }
    }

    public let port: UInt16
    private let listenDescriptor: Int32
    private let received = Mutex<[Request]>([])
    private let stopped = Mutex(false)

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [Request] { received.withLock { $0 } }

    public init(handler: @escaping @Sendable (Request) -> Response) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else { close(descriptor); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listenDescriptor = descriptor
        let thread = Thread { [self] in acceptLoop(handler) }
        thread.start()
    }

    deinit { stop() }

    public func stop() {
        let wasStopped = stopped.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasStopped else { return }
        shutdown(listenDescriptor, Int32(SHUT_RDWR))
        close(listenDescriptor)
    }

    private func acceptLoop(_ handler: @Sendable (Request) -> Response) {
        while !stopped.withLock({ $0 }) {
            let connection = accept(listenDescriptor, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(connection, handler)
            close(connection)
        }
    }

    private func serve(_ connection: Int32, _ handler: @Sendable (Request) -> Response) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            let count = read(connection, &chunk, chunk.count)
            if count <= 0 { return }
            buffer += chunk[0..<count]
            headerEnd = Self.find(separator, in: buffer)
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { Self.write(connection, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        let bodyLength = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(buffer[(headerEnd! + 4)...])
        while body.count < bodyLength {
            let count = read(connection, &chunk, chunk.count)
            if count <= 0 { break }
            body += chunk[0..<count]
        }
        let request = Request(method: requestLine.first.map(String.init) ?? "", target: requestLine.count > 1 ? String(requestLine[1]) : "/",
                              headers: headers, body: Data(body))
        received.withLock { $0.append(request) }
        let response = handler(request)
        var text = "HTTP/1.1 \(response.status) Status\r\nConnection: close\r\nContent-Length: \(response.body.count)\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        Self.write(connection, Data((text + "\r\n").utf8) + (request.method == "HEAD" ? Data() : response.body))
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }

    private static func write(_ connection: Int32, _ data: Data) {
        data.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let count = send(connection, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
                if count <= 0 { return }
                sent += count
            }
        }
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then released).
    public static func unusedPort() -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    public static func isAccepting(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
