import Dispatch
import Foundation
import Synchronization

/// Set by SIGINT or SIGTERM; running steps poll it and stop their process group, so an
/// interrupted run leaves no stray children.
final class CancellationFlag: Sendable {
    private let flag = Mutex(false)
    // The dispatch sources must live as long as the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    var isSet: Bool { flag.withLock { $0 } }

    static func installSignalHandlers() -> CancellationFlag {
        let cancellation = CancellationFlag()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                cancellation.flag.withLock { $0 = true }
            }
            source.resume()
            sources.append(source)
        }
        return cancellation
    }
}
