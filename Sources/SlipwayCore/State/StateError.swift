/// Failures of the deployment-record layer (records, history, last successful revision).
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDeploymentID(String)
    /// A pipeline or stage name that cannot be one segment of a store key.
    case invalidName(kind: String, name: String)
    /// Compare-and-swap lost: the record changed since the caller read it.
    case conflict(key: String)
    /// A deployment with this id already exists.
    case alreadyExists(DeploymentID)
    /// A stored document could not be decoded or encoded.
    case corrupt(key: String, message: String)
    case store(StoreError)

    public var description: String {
        switch self {
        case .invalidDeploymentID(let text):
            "\"\(text)\" is not a deployment id (expected d- and 9 letters or digits, like d-AB12CD34E)"
        case .invalidName(let kind, let name):
            "\(kind) name \"\(name)\" cannot be used in the store (no \"/\", not empty, not \".\" or \"..\")"
        case .conflict(let key):
            "\(key) was changed by another writer since it was read; reload it and try again"
        case .alreadyExists(let id): "deployment \(id) already exists"
        case .corrupt(let key, let message): "\(key) is unreadable: \(message)"
        case .store(let error): error.description
        }
    }
}
