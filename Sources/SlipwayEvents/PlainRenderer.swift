import Synchronization

/// One uncolored line per event: for logs, pipes and dumb terminals.
///
///     [build/compile] ▶ make all
///     [build/compile] | cc -c main.c
///     [build/compile] ✓ succeeded in 1.2s
public final class PlainRenderer: EventSink {
    private let output: any TextOutput
    // Serializes writes so lines from concurrent tasks never interleave.
    private let lock = Mutex<Void>(())

    public init(output: any TextOutput) {
        self.output = output
    }

    public func emit(_ event: Event) {
        let line = PlainFormat.line(event) + "\n"
        lock.withLock { _ in output.write(line) }
    }
}
