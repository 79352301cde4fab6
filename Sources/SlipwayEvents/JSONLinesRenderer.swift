import Foundation
import Synchronization

/// One JSON object per line (`--json`), in `EventJSON`'s stable form, for machines.
public final class JSONLinesRenderer: EventSink {
    private let output: any TextOutput
    private let encoder = Mutex<JSONEncoder>(EventJSON.encoder())

    public init(output: any TextOutput) {
        self.output = output
    }

    public func emit(_ event: Event) {
        encoder.withLock { encoder in
            // Event holds only strings, numbers and dates: encoding cannot fail.
            guard let data = try? encoder.encode(event) else { return }
            output.write(String(decoding: data, as: UTF8.self) + "\n")
        }
    }
}
