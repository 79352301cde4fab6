import Foundation

/// One line of a deployment journal: `{"data":…,"kind":"stepStarted","seq":3,"time":"…"}`.
public struct JournalEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case started, planned, stepStarted, stepFinished
        /// The opaque plugin state after each plugin call: what resume passes back.
        case pluginState
        case weight, hostStarted, hostFinished, rollbackStarted, finished
    }

    /// 1, 2, 3… without gaps within one deployment.
    public var seq: Int
    public var time: Date
    public var kind: Kind
    public var data: ConfigValue

    public init(seq: Int, time: Date, kind: Kind, data: ConfigValue) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.data = data
    }
}

public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    case io(path: String, message: String)
    /// A complete line that is not an entry, or entries out of order. Only an unterminated
    /// last line is taken for a torn write and ignored; anything else is not guessed around.
    case corrupt(source: String, line: Int, message: String)
    /// No journal for this deployment, neither locally nor in the store.
    case notFound(DeploymentID)
    /// The entry is durable in the local file but the store copy is behind. The next append
    /// uploads the whole file again, so a transient failure heals itself.
    case mirrorFailed(entry: JournalEntry, error: StoreError)
    case invalidName(StateError)
    case store(StoreError)

    public var description: String {
        switch self {
        case .io(let path, let message): "journal \(path): \(message)"
        case .corrupt(let source, let line, let message): "journal \(source) line \(line) is corrupt: \(message)"
        case .notFound(let id): "no journal for deployment \(id) locally or in the store"
        case .mirrorFailed(let entry, let error):
            "journal entry \(entry.seq) was saved locally but not copied to the store: \(error)"
        case .invalidName(let error): error.description
        case .store(let error): error.description
        }
    }
}
