import Foundation
import SlipwayPluginABI
import Synchronization

/// The glue between the C ABI and a `SlipwayPlugin`. Export a plugin with one line:
///
///     @_cdecl("slipway_plugin_v1")
///     public func slipwayPluginV1() -> UnsafeRawPointer { SlipwayPluginExport.entry(MyPlugin.self) }
///
/// Each plugin library links its own copy of this module, so the one exported plugin per
/// library lives in a module-level global.
public enum SlipwayPluginExport {
    /// Returns the library's `slipway_plugin` struct, built on the first call and reused after.
    public static func entry<Plugin: SlipwayPlugin>(_ plugin: Plugin.Type) -> UnsafeRawPointer {
        exported.withLock { exported in
            if let exported { return UnsafeRawPointer(exported.pointer) }
            let made = ExportedPlugin(Plugin.self)
            exported = made
            return UnsafeRawPointer(made.pointer)
        }
    }

    /// The manifest JSON a plugin type produces (what `slipway plugins` shows), for tests.
    public static func manifest<Plugin: SlipwayPlugin>(_ plugin: Plugin.Type) -> String {
        manifestValue(name: Plugin.name, version: Plugin.version, targets: Plugin.targets).jsonText
    }

    static func manifestValue(name: String, version: String, targets: [PluginTarget]) -> JSONValue {
        ["name": .string(name), "version": .string(version), "targetTypes": .array(targets.map(\.manifestEntry))]
    }

    /// The C `call`: copies everything it needs, starts a task and returns at once. Never blocks
    /// a thread waiting for the async work (that deadlocks the cooperative pool).
    static func start(method: String, params: String, host: slipway_host?, reply: Reply) {
        let targets = exported.withLock { $0?.targets } ?? []
        let connection = HostConnection(host)
        Task {
            let outcome: Result<[String: JSONValue], PluginError>
            do {
                let call = try CallParams(json: params)
                let target = try Self.target(for: call.targetType, in: targets)
                outcome = .success(try await target.handle(method, call, PluginContext(connection: connection)))
            } catch let error as PluginError {
                outcome = .failure(error)
            } catch is CancellationError {
                outcome = .failure(.cancelled())
            } catch {
                outcome = .failure(.failed(String(describing: error)))
            }
            connection.disconnect()
            switch outcome {
            case .success(let fields): reply.send(status: Int32(SLIPWAY_OK), json: JSONValue.object(fields).jsonText)
            case .failure(let error):
                reply.send(status: Int32(SLIPWAY_ERROR),
                           json: JSONValue.object(["code": .string(error.code), "message": .string(error.message)]).jsonText)
            }
        }
    }

    private static func target(for type: String?, in targets: [PluginTarget]) throws(PluginError) -> PluginTarget {
        if let type {
            guard let target = targets.first(where: { $0.type == type }) else {
                throw PluginError.notFound("this plugin does not serve target type \(type)")
            }
            return target
        }
        // Params without a targetType are only unambiguous for a single-type plugin.
        guard targets.count == 1, let only = targets.first else {
            throw PluginError.failed("the call's params have no targetType")
        }
        return only
    }

    /// Where the reply goes; the runner keeps the context alive until it is called.
    struct Reply: @unchecked Sendable {
        let function: slipway_reply_fn
        let context: UnsafeMutableRawPointer?

        func send(status: Int32, json: String) {
            json.withCString { function(context, status, $0) }
        }
    }
}

/// The exported struct and the targets answering its calls; allocated once, never freed
/// (the runner never unloads a plugin).
private struct ExportedPlugin: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<slipway_plugin>
    let targets: [PluginTarget]

    init<Plugin: SlipwayPlugin>(_ plugin: Plugin.Type) {
        targets = Plugin.targets
        let manifest = SlipwayPluginExport.manifestValue(name: Plugin.name, version: Plugin.version, targets: targets)
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: slipway_plugin(
            abi_version: UInt32(SLIPWAY_PLUGIN_ABI_VERSION),
            manifest_json: UnsafePointer(strdup(manifest.jsonText)),
            call: { method, params, host, reply, replyContext in
                guard let reply else { return }  // nowhere to answer: nothing sensible to do
                let channel = SlipwayPluginExport.Reply(function: reply, context: replyContext)
                guard let method, let params else {
                    channel.send(status: Int32(SLIPWAY_ERROR), json: #"{"code":"failed","message":"method or params is NULL"}"#)
                    return
                }
                SlipwayPluginExport.start(method: String(cString: method), params: String(cString: params),
                                          host: host?.pointee, reply: channel)
            }))
    }
}

private let exported = Mutex<ExportedPlugin?>(nil)
