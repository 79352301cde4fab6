/// A plugin call that did not succeed: the plugin's `{"code", "message"}` error reply, or a
/// protocol violation detected by the runner (code `failed`).
public struct PluginCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Codes the runner acts on; a plugin may use others, which are treated like `failed`.
    public static let cancelled = "cancelled"
    public static let invalidConfig = "invalidConfig"
    public static let notFound = "notFound"
    public static let failed = "failed"
    /// The runner asked for a method the manifest does not list for the target type.
    public static let unsupportedMethod = "unsupportedMethod"

    public var code: String
    public var message: String
    /// The plugin's manifest name and the method called, for messages.
    public var plugin: String
    public var method: String

    public init(code: String, message: String, plugin: String, method: String) {
        self.code = code
        self.message = message
        self.plugin = plugin
        self.method = method
    }

    public var isCancelled: Bool { code == Self.cancelled }

    public var description: String { "plugin \(plugin) \(method) failed (\(code)): \(message)" }
}
