import CCurl
import Foundation
import Synchronization

/// Set from another thread to stop a transfer: libcurl's progress and read callbacks poll it
/// and abort, which `curl_easy_perform` reports as CURLE_ABORTED_BY_CALLBACK.
final class CurlCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
    func cancel() { flag.store(true, ordering: .relaxed) }
}

/// One blocking request/response on one easy handle. It lives on the transfer's thread only;
/// libcurl's callbacks reach it through their context pointer.
final class CurlTransfer {
    private let request: HTTPWireRequest
    private let sink: HTTPResponseSink
    private let cancellation: CurlCancellation
    private var sent = 0
    private var status = 0
    private var headers: [String: String] = [:]
    private var errorBody = Data()
    private var sinkDescriptor: Int32 = -1
    /// A failure inside a callback (reading the body file, writing the download), reported
    /// instead of libcurl's generic "aborted by callback".
    private var callbackError: (any Error)?

    init(request: HTTPWireRequest, sink: HTTPResponseSink, cancellation: CurlCancellation) {
        self.request = request
        self.sink = sink
        self.cancellation = cancellation
    }

    deinit { if sinkDescriptor >= 0 { close(sinkDescriptor) } }

    /// Runs the transfer on `handle` (which must be fresh or `curl_easy_reset`).
    func perform(on handle: UnsafeMutableRawPointer, timeoutSeconds: Int) throws -> HTTPWireResponse {
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // No "Expect: 100-continue" round trip: S3 answers errors only after the body anyway.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passUnretained(self).toOpaque()
        let code: CURLcode = errorText.withUnsafeMutableBufferPointer { errorBuffer in
            slipway_curl_set_error_buffer(handle, errorBuffer.baseAddress)
            configure(handle, context: context, headers: headerList, timeoutSeconds: timeoutSeconds)
            return withExtendedLifetime(self) { curl_easy_perform(handle) }
        }
        if sinkDescriptor >= 0 {
            let closed = close(sinkDescriptor)
            sinkDescriptor = -1
            if closed != 0, callbackError == nil { callbackError = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        if code != CURLE_OK {
            if cancellation.isCancelled { throw CancellationError() }
            if let callbackError { throw callbackError }
            let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let detail = text.isEmpty ? String(cString: curl_easy_strerror(code)) : text
            throw HTTPTransportError(isConnectionError: Self.connectionErrors.contains(code.rawValue),
                                     message: "\(detail) (curl error \(code.rawValue))")
        }
        if case .file(let url) = sink, (200..<300).contains(status) {
            // A success with an empty body never called the write callback: the file must still exist.
            if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        }
        return HTTPWireResponse(status: status, headers: headers, body: errorBody)
    }

    /// libcurl results after which another attempt may succeed (the SDKs' "connection errors").
    static let connectionErrors: Set<UInt32> = [
        CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_WEIRD_SERVER_REPLY,
        CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR,
        CURLE_RECV_ERROR, CURLE_SEND_FAIL_REWIND, CURLE_HTTP2, CURLE_HTTP2_STREAM,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    private func configure(_ handle: UnsafeMutableRawPointer, context: UnsafeMutableRawPointer,
                           headers: UnsafeMutablePointer<curl_slist>?, timeoutSeconds: Int) {
        slipway_curl_set_string(handle, CURLOPT_URL, request.url)
        // Signals cannot be used for timeouts in a multi-threaded process.
        slipway_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        slipway_curl_set_headers(handle, headers)
        switch request.method {
        case "GET": break
        case "HEAD": slipway_curl_set_long(handle, CURLOPT_NOBODY, 1)
        case "PUT", "POST":
            // Always an upload of a known length, even when empty: a Content-Length is sent, no
            // chunked encoding (which S3 refuses) and no form encoding.
            slipway_curl_set_long(handle, CURLOPT_UPLOAD, 1)
            slipway_curl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.length))
            slipway_curl_set_pointer(handle, CURLOPT_READDATA, context)
            slipway_curl_set_data_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().fillBody(buffer!, capacity: size * count)
            }
            // libcurl rewinds when it resends on a fresh connection (a kept-alive one the server closed).
            slipway_curl_set_pointer(handle, CURLOPT_SEEKDATA, context)
            slipway_curl_set_seek_callback(handle) { context, offset, origin in
                guard origin == SEEK_SET else { return 2 } // CURL_SEEKFUNC_CANTSEEK
                Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().sent = Int(offset)
                return 0
            }
            if request.method == "POST" { slipway_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, "POST") }
            // Bigger reads than the 64 KiB default: fewer callbacks and send calls per MiB.
            slipway_curl_set_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, 512 * 1024)
        default: slipway_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        slipway_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
        slipway_curl_set_data_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receiveHeader(buffer!, count: size * count)
        }
        slipway_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        slipway_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receiveBody(buffer!, count: size * count)
        }
        slipway_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
        slipway_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context)
        slipway_curl_set_progress_callback(handle) { context, _, _, _, _ in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
        }
        // URLSession's timeoutIntervalForRequest semantics: fail after this long without progress.
        slipway_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, timeoutSeconds)
        slipway_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        slipway_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, timeoutSeconds)
    }

    // MARK: Callbacks (on the transfer thread)

    private func fillBody(_ buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if cancellation.isCancelled { return SLIPWAY_CURL_READFUNC_ABORT }
        let count = min(capacity, request.body.length - sent)
        guard count > 0 else { return 0 }
        switch request.body {
        case .none: return 0
        case .data(let data):
            data.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + sent, byteCount: count)
            }
            sent += count
            return count
        case .file(let range):
            do {
                let read = try range.read(into: buffer, maxCount: count, at: sent)
                sent += read
                return read
            } catch {
                callbackError = error
                return SLIPWAY_CURL_READFUNC_ABORT
            }
        }
    }

    private func receiveHeader(_ buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new status line (after "100 Continue" or an informational response) starts over.
            status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + "," + value } ?? value
        }
        return count
    }

    private func receiveBody(_ buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        guard case .file(let url) = sink, (200..<300).contains(status) else {
            errorBody.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: count)
            return count
        }
        if sinkDescriptor < 0 {
            sinkDescriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if sinkDescriptor < 0 { callbackError = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO); return 0 }
        }
        var written = 0
        while written < count {
            let result = write(sinkDescriptor, buffer + written, count - written)
            if result < 0 {
                if errno == EINTR { continue }
                callbackError = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                return 0
            }
            written += result
        }
        return count
    }
}
