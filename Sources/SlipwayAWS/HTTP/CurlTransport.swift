import CCurl
import Foundation
import Synchronization

/// Sends requests with libcurl's easy API, each on a thread of its own.
///
/// Why not URLSession: on Linux, FoundationNetworking drives libcurl's multi API behind
/// dispatch queues and hands every ≈64 KiB upload chunk from one thread to another; profiling a
/// 258 MB upload found a third of the CPU in those hand-offs (docs/benchmarks.md). Here
/// `curl_easy_perform` reads the body straight from the file in the thread that sends it.
///
/// Why every request, not only large bodies: one transport means one set of behaviours
/// (timeouts, connection errors, headers on the wire) for retries and signing to rely on, and
/// every existing test of the HTTP layer exercises the path the uploads take.
///
/// A thread per request keeps blocking calls off Swift's cooperative pool; easy handles are
/// kept for reuse, because each holds its own connection cache (keep-alive).
final class CurlTransport: Sendable {
    let timeoutSeconds: Int
    private let maxIdleHandles: Int
    private let idleHandles = Mutex<[EasyHandle]>([])

    /// An easy handle is used by one thread at a time: taken from the pool, or made, by the
    /// transfer's thread and given back when it is done.
    private struct EasyHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    /// `curl_global_init` is not thread-safe: run it once, before the first handle.
    private static let globalInit: UInt32 = slipway_curl_global_init().rawValue

    init(timeoutSeconds: Int, maxIdleHandles: Int) {
        _ = Self.globalInit
        self.timeoutSeconds = max(1, timeoutSeconds)
        self.maxIdleHandles = max(1, maxIdleHandles)
    }

    deinit {
        for handle in idleHandles.withLock({ $0 }) { curl_easy_cleanup(handle.pointer) }
    }

    /// Sends `request` and returns whatever HTTP response arrives (any status). Throws
    /// `HTTPTransportError` when none does, `CancellationError` if the task is cancelled
    /// (the transfer is stopped within about a second: libcurl polls the progress callback).
    func perform(_ request: HTTPWireRequest, sink: HTTPResponseSink = .memory) async throws -> HTTPWireResponse {
        try Task.checkCancellation()
        let cancellation = CurlCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPWireResponse, any Error>) in
                let thread = Thread { [self] in
                    continuation.resume(with: Result { try performBlocking(request, sink: sink, cancellation: cancellation) })
                }
                thread.name = "slipway-http"
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private func performBlocking(_ request: HTTPWireRequest, sink: HTTPResponseSink,
                                 cancellation: CurlCancellation) throws -> HTTPWireResponse {
        guard let handle = idleHandles.withLock({ $0.popLast() })?.pointer ?? curl_easy_init() else {
            throw HTTPTransportError(isConnectionError: false, message: "curl_easy_init failed")
        }
        defer { giveBack(handle) }
        return try CurlTransfer(request: request, sink: sink, cancellation: cancellation)
            .perform(on: handle, timeoutSeconds: timeoutSeconds)
    }

    /// Resets the options (not the connection cache) and keeps the handle, up to the pool size.
    private func giveBack(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let kept = idleHandles.withLock { handles in
            guard handles.count < maxIdleHandles else { return false }
            handles.append(EasyHandle(pointer: handle))
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }
}
