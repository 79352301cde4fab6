/// An error a plugin reports to the runner: becomes the `{"code", "message"}` error reply.
/// Any other error thrown by a plugin method is reported with code `failed` and its description.
public struct PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The work failed (a hook exited non-zero, an API call was refused...).
    public static func failed(_ message: String) -> PluginError { PluginError(code: "failed", message: message) }
    /// The stage's `with:` cannot work (a value the schema could not catch).
    public static func invalidConfig(_ message: String) -> PluginError { PluginError(code: "invalidConfig", message: message) }
    /// The target (host, function, service) does not exist.
    public static func notFound(_ message: String) -> PluginError { PluginError(code: "notFound", message: message) }
    /// The run was cancelled and the call stopped early.
    public static func cancelled(_ message: String = "cancelled") -> PluginError { PluginError(code: "cancelled", message: message) }

    public var description: String { "\(code): \(message)" }
}
