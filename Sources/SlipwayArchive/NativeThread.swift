#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain POSIX thread. Compression workers block on condition variables for long stretches,
/// which must never happen on Swift's cooperative pool (it would starve every other task).
struct NativeThread {
    private let handle: pthread_t

    /// Starts `body` on a new thread; nil if the system refuses to create one.
    static func start(_ body: @escaping @Sendable () -> Void) -> NativeThread? {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { context in
            // Linux passes a non-null optional here; Darwin's signature is non-optional.
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return NativeThread(handle: handle)
    }

    /// Waits for the thread to return.
    func join() {
        pthread_join(handle, nil)
    }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
