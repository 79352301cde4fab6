import Synchronization

/// Output lines gathered from a transport's callback thread.
final class LinesBox: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    func joined() -> String { lines.withLock { $0.joined(separator: "\n") } }
}
