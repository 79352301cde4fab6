import Synchronization

/// Anything that consumes events. Events arrive from several tasks and threads at once, so
/// every implementation must be thread-safe.
public protocol EventSink: Sendable {
    func emit(_ event: Event)
}

/// Keeps every event in memory, for tests and for summaries at the end of a run.
public final class RecordingSink: EventSink {
    private let recorded = Mutex<[Event]>([])

    public init() {}

    public func emit(_ event: Event) {
        recorded.withLock { $0.append(event) }
    }

    public var events: [Event] { recorded.withLock { $0 } }
}

/// Sends every event to several sinks in order (e.g. the terminal and the run journal).
public struct FanOutSink: EventSink {
    public let sinks: [any EventSink]

    public init(_ sinks: [any EventSink]) { self.sinks = sinks }

    public func emit(_ event: Event) {
        for sink in sinks { sink.emit(event) }
    }
}
