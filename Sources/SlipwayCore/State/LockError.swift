/// Why a lease stopped being ours.
public enum LockLoss: Sendable, Equatable, CustomStringConvertible {
    /// Another runner's lock is there now (it took ours over after expiry, or resumed our
    /// deployment on purpose).
    case takenOver(by: LockInfo)
    /// The lock was deleted (`slipway lock release`).
    case removed
    /// Refreshes kept failing until our lock expired: anyone may have taken it since.
    case expired(lastError: String)

    public var description: String {
        switch self {
        case .takenOver(let other):
            "the lock of stage \(other.stage) was taken over by \(other.holder) for deployment \(other.deploymentId)"
        case .removed: "the stage lock was removed (forced release)"
        case .expired(let lastError): "the stage lock expired because it could not be refreshed: \(lastError)"
        }
    }
}

public enum LockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Someone else holds the stage (and did not let go within the wait).
    case held(LockInfo)
    /// The lease was lost; see `LockLoss`.
    case lost(LockLoss)
    /// The lock document exists but cannot be decoded. Not treated as free: a person decides
    /// (`slipway lock release`).
    case unreadable(key: String, message: String)
    case invalidName(StateError)
    /// The lock kept appearing and disappearing faster than we could read it.
    case contended(key: String)
    case cancelled
    case store(StoreError)

    public var description: String {
        switch self {
        case .held(let info): info.describe()
        case .lost(let loss): loss.description
        case .unreadable(let key, let message):
            "lock \(key) is unreadable (\(message)); remove it with `slipway lock release` if no deployment is running"
        case .invalidName(let error): error.description
        case .contended(let key): "lock \(key) changed hands repeatedly while acquiring it; try again"
        case .cancelled: "cancelled while waiting for the stage lock"
        case .store(let error): error.description
        }
    }
}
