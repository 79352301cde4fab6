import SlipwayPluginABI
import Synchronization

/// What the runner offers during one call: progress events and the cancellation flag.
/// Safe to use from any task or thread; calls after the method returned are ignored (the
/// runner's callbacks are only valid until the reply).
public final class PluginContext: Sendable {
    public enum Level: String, Sendable { case info, warning, error }

    private let connection: HostConnection

    init(connection: HostConnection) {
        self.connection = connection
    }

    /// True once the run was cancelled: stop soon and throw `PluginError.cancelled()`.
    public var isCancelled: Bool { connection.isCancelled }

    /// Throws `PluginError.cancelled()` when the run was cancelled.
    public func checkCancellation() throws(PluginError) {
        if isCancelled { throw .cancelled() }
    }

    /// Sends a log or progress line to the runner. `host` is the host id it is about (fleet).
    public func emit(level: Level = .info, message: String, host: String? = nil, fields: [String: String] = [:]) {
        var event: [String: JSONValue] = ["level": .string(level.rawValue), "message": .string(message)]
        if let host { event["host"] = .string(host) }
        if !fields.isEmpty { event["fields"] = .object(fields.mapValues(JSONValue.string)) }
        connection.emit(JSONValue.object(event).jsonText)
    }
}

/// The runner's `slipway_host`, copied, and cut off when the call replies so a task the plugin
/// left running can never call into a host struct that no longer exists.
final class HostConnection: Sendable {
    private let host: Mutex<HostFunctions?>

    init(_ host: slipway_host?) {
        self.host = Mutex(host.map(HostFunctions.init))
    }

    var isCancelled: Bool {
        host.withLock { functions in
            guard let functions, let isCancelled = functions.host.is_cancelled else { return false }
            return isCancelled(functions.host.context) != 0
        }
    }

    func emit(_ json: String) {
        host.withLock { functions in
            guard let functions, let emit = functions.host.emit else { return }
            json.withCString { emit(functions.host.context, $0) }
        }
    }

    /// Called just before replying: the lock guarantees no emit is in flight or can follow.
    func disconnect() {
        host.withLock { $0 = nil }
    }
}

/// The runner's function pointers and context. The runner documents them as callable from any
/// thread until the reply, which `HostConnection` enforces.
struct HostFunctions: @unchecked Sendable {
    let host: slipway_host
}
