import Foundation
import SlipwayPluginABI

/// A plugin library that loaded and passed its checks.
public struct LoadedPlugin: Sendable {
    public let manifest: PluginManifest
    /// The file it was loaded from.
    public let path: String
    let entry: PluginEntryPointer

    init(manifest: PluginManifest, path: String, entry: PluginEntryPointer) {
        self.manifest = manifest
        self.path = path
        self.entry = entry
    }

    /// Calls one method and waits for its reply without blocking a thread: the plugin replies
    /// through a C callback, possibly from another thread, which resumes this task.
    ///
    /// - `events` receives every `host->emit`, from any thread, until the reply.
    /// - `isCancelled` is polled by the plugin (`host->is_cancelled`); cancelling the calling
    ///   task also reports cancellation to the plugin.
    /// - Returns the result object; throws the plugin's `{code, message}` error reply, or a
    ///   `failed` error when the reply breaks the protocol.
    public func call(
        _ method: String,
        params: ConfigValue,
        events: @escaping @Sendable (PluginEvent) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) async throws(PluginCallError) -> ConfigValue {
        if let type = params["targetType"]?.stringValue, let target = manifest.targetType(type),
           !target.implements(method) {
            throw PluginCallError(code: PluginCallError.unsupportedMethod,
                                  message: "target type \(type) does not implement \(method)",
                                  plugin: manifest.name, method: method)
        }
        let bridge = PluginCallBridge(events: events, isCancelled: isCancelled)
        // The method and params strings stay valid until the reply (documented in plugin-abi.md),
        // so a plugin may read them from its worker thread without copying.
        let methodText = strdup(method)!
        let paramsText = strdup(params.jsonText)!
        let host = UnsafeMutablePointer<slipway_host>.allocate(capacity: 1)
        host.initialize(to: slipway_host(
            context: Unmanaged.passUnretained(bridge).toOpaque(),
            emit: { context, eventJSON in
                guard let context, let eventJSON else { return }
                let bridge = Unmanaged<PluginCallBridge>.fromOpaque(context).takeUnretainedValue()
                bridge.emit(String(cString: eventJSON))
            },
            is_cancelled: { context in
                guard let context else { return 0 }
                return Unmanaged<PluginCallBridge>.fromOpaque(context).takeUnretainedValue().isCancelled ? 1 : 0
            }
        ))
        let entry = self.entry
        let reply = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PluginReply, Never>) in
                bridge.awaitReply(continuation)
                // The loader refused plugins without a call function; this keeps the bridge total.
                guard let pluginCall = entry.pointer.pointee.call else {
                    bridge.deliver(PluginReply(status: Int32(SLIPWAY_ERROR), text: #"{"code":"failed","message":"the plugin has no call function"}"#))
                    return
                }
                pluginCall(methodText, paramsText, host, { replyContext, status, resultJSON in
                    guard let replyContext else { return }
                    let bridge = Unmanaged<PluginCallBridge>.fromOpaque(replyContext).takeUnretainedValue()
                    // Copied here: the plugin may free the string as soon as this returns.
                    bridge.deliver(PluginReply(status: status, text: resultJSON.map { String(cString: $0) }))
                }, Unmanaged.passUnretained(bridge).toOpaque())
            }
        } onCancel: {
            bridge.cancel()
        }
        // Everything the plugin was given stays alive until it replied (the contract), and no longer.
        withExtendedLifetime(bridge) {}
        host.deinitialize(count: 1)
        host.deallocate()
        free(methodText)
        free(paramsText)
        return try reply.result(plugin: manifest.name, method: method)
    }
}

/// The raw reply of one call.
struct PluginReply: Sendable {
    var status: Int32
    var text: String?

    func result(plugin: String, method: String) throws(PluginCallError) -> ConfigValue {
        func failure(_ code: String, _ message: String) -> PluginCallError {
            PluginCallError(code: code, message: message, plugin: plugin, method: method)
        }
        let parsed = text.flatMap { try? ConfigValue.parseJSON($0) }
        switch status {
        case Int32(SLIPWAY_OK):
            // A NULL result is read as an empty object: C plugins with nothing to say often pass NULL.
            guard let text else { return .object([:]) }
            guard let parsed else { throw failure(PluginCallError.failed, "the plugin replied with invalid JSON: \(text.prefix(200))") }
            guard case .object = parsed else {
                throw failure(PluginCallError.failed, "the plugin replied with \(parsed.jsonTypeName) instead of a JSON object")
            }
            return parsed
        case Int32(SLIPWAY_ERROR):
            guard let fields = parsed?.objectValue, let message = fields["message"]?.stringValue else {
                throw failure(PluginCallError.failed, "the plugin reported an error without a {\"code\", \"message\"} object: \(text?.prefix(200) ?? "NULL")")
            }
            let code = fields["code"]?.stringValue ?? PluginCallError.failed
            throw failure(code, message)
        default:
            throw failure(PluginCallError.failed, "the plugin replied with unknown status \(status)")
        }
    }
}
