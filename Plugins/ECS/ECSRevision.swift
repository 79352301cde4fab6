import Foundation
import SlipwayAppSpec
import SlipwayArchive
import SlipwayPluginKit

/// What a revision tells an ECS deployment: the task definition to register (placeholders
/// filled) and, when it has one, the CodeDeploy ECS appspec.
struct ECSRevision: Sendable {
    /// The RegisterTaskDefinition request, as JSON text; nil when the appspec names an
    /// existing task definition instead.
    var taskDefinitionJSON: String?
    var appSpec: ECSAppSpec?

    /// Unpacks the archive into a scratch folder (removed afterwards) and reads both files.
    static func read(_ revision: Revision, config: ECSConfig) throws(PluginError) -> ECSRevision {
        let scratch = NSTemporaryDirectory() + "slipway-ecs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try SafeExtractor.extract(archive: revision.archive, to: scratch)
        } catch {
            throw PluginError.failed("cannot unpack the revision \(revision.archive): \(error)")
        }
        let appSpec = try readAppSpec(in: scratch, config: config)
        let name = config.taskDefinition ?? "taskdef.json"
        let path = scratch + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            // An appspec naming a registered task definition needs no file.
            if config.taskDefinition == nil, let appSpec, !appSpec.taskDefinitionIsPlaceholder {
                return ECSRevision(taskDefinitionJSON: nil, appSpec: appSpec)
            }
            throw PluginError.invalidConfig("the revision has no \(name) (with.taskDefinition)")
        }
        let text = try fill(String(decoding: data, as: UTF8.self), file: name, placeholders: config.placeholders ?? [:])
        guard (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any] else {
            throw PluginError.invalidConfig("\(name) in the revision is not a JSON object (a RegisterTaskDefinition request)")
        }
        return ECSRevision(taskDefinitionJSON: text, appSpec: appSpec)
    }

    /// Replaces every `<NAME>` with its value; a placeholder left without a value is an error,
    /// since registering `<IMAGE1_NAME>` as an image would only fail later, in ECS.
    static func fill(_ text: String, file: String, placeholders: [String: String]) throws(PluginError) -> String {
        var result = text
        for (name, value) in placeholders {
            // JSON-escape the value: it lands inside a JSON string.
            let escaped = String(String(decoding: (try? JSONSerialization.data(withJSONObject: [value])) ?? Data(), as: UTF8.self).dropFirst(2).dropLast(2))
            result = result.replacingOccurrences(of: "<\(name)>", with: escaped)
        }
        let left = result.matches(of: /<([A-Z][A-Z0-9_]*)>/).map { String($0.output.1) }
        if let first = left.first {
            throw PluginError.invalidConfig("\(file) has placeholder <\(first)> with no value: add it to with.placeholders")
        }
        return result
    }

    static func readAppSpec(in folder: String, config: ECSConfig) throws(PluginError) -> ECSAppSpec? {
        let candidates = config.appspec.map { [$0] } ?? ECSAppSpecLoader.fileNames
        for name in candidates {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
            // Without with.appspec, only an ECS appspec counts (an EC2 one is not ours).
            guard config.appspec != nil || ECSAppSpecLoader.isECS(bytes: Array(data)) else { continue }
            let loaded = ECSAppSpecLoader.load(bytes: Array(data), file: name)
            guard let spec = loaded.appSpec else {
                throw PluginError.invalidConfig(loaded.errors.map(\.description).joined(separator: "\n"))
            }
            return spec
        }
        if let name = config.appspec { throw PluginError.invalidConfig("the revision has no \(name) (with.appspec)") }
        return nil
    }
}
