import Foundation
import SlipwayYAML

/// CodeDeploy's AppSpec for a Lambda deployment (codedeploy.md §4), YAML or JSON:
///
/// ```yaml
/// version: 0.0
/// Resources:
///   - myFunction:
///       Type: AWS::Lambda::Function
///       Properties: {Name: fn, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
/// Hooks:
///   - BeforeAllowTraffic: ValidateBeforeFn
///   - AfterAllowTraffic: ValidateAfterFn
/// ```
public struct LambdaAppSpec: Sendable, Equatable {
    /// The resource's logical name (`myFunction`).
    public var resource: String
    public var function: String
    public var alias: String
    public var currentVersion: String
    public var targetVersion: String
    /// Event → hook function names, in file order.
    public var hooks: [String: [String]]

    public init(resource: String, function: String, alias: String, currentVersion: String, targetVersion: String,
                hooks: [String: [String]] = [:]) {
        self.resource = resource
        self.function = function
        self.alias = alias
        self.currentVersion = currentVersion
        self.targetVersion = targetVersion
        self.hooks = hooks
    }

    /// The events a Lambda deployment runs hooks at.
    public static let hookEvents = ["BeforeAllowTraffic", "AfterAllowTraffic"]
    public static let resourceType = "AWS::Lambda::Function"
}

/// Reads a Lambda appspec, collecting every problem with its line:column. Like the EC2 appspec
/// loader (`SlipwayHost`), what CodeDeploy would quietly accept (unknown keys, a key given
/// twice) is a warning; what it would refuse is an error. Key names are matched without regard
/// to case: the CodeDeploy guide prints them both ways.
public enum LambdaAppSpecLoader {
    public struct Result: Sendable {
        /// Nil when there are errors.
        public var appSpec: LambdaAppSpec?
        public var diagnostics: [Diagnostic]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    }

    public static func load(path: String) -> Result {
        guard let data = FileManager.default.contents(atPath: path) else {
            return Result(appSpec: nil, diagnostics: [Diagnostic(.error, file: path, mark: nil, message: "cannot read the file")])
        }
        return load(bytes: Array(data), file: path)
    }

    public static func load(text: String, file: String) -> Result {
        load(bytes: Array(text.utf8), file: file)
    }

    public static func load(bytes: [UInt8], file: String) -> Result {
        let context = DecodeContext(file: file)
        guard let root = context.parse(bytes: bytes, duplicateKeys: .warning) else {
            return Result(appSpec: nil, diagnostics: context.diagnostics)
        }
        let spec = decode(root, context)
        return Result(appSpec: context.hasErrors ? nil : spec, diagnostics: context.diagnostics)
    }

    /// Whether `bytes` hold a Lambda appspec rather than a pipeline, an EC2 appspec or an ECS
    /// one: a top-level `Resources` whose resource is not typed `AWS::ECS::Service`. Decided
    /// from the document, so any file name works (`slipway validate appspec.json`).
    public static func isLambdaAppSpec(bytes: [UInt8]) -> Bool {
        guard let root = try? YAMLParser.parse(bytes: bytes).root, let pairs = root.mapping,
              let resources = pairs.first(where: { $0.key.scalar?.lowercased() == "resources" })?.value else { return false }
        let types = (resources.sequence ?? []).compactMap { item in
            item.mapping?.first?.value.mapping?.first(where: { $0.key.scalar?.lowercased() == "type" })?.value.scalar
        }
        return !types.contains("AWS::ECS::Service")
    }

    public static func isLambdaAppSpec(path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return isLambdaAppSpec(bytes: Array(data))
    }

    static func decode(_ root: Node, _ context: DecodeContext) -> LambdaAppSpec? {
        guard let top = CaselessMapping(root, .root, known: ["version", "Resources", "Hooks"], context) else { return nil }
        if let version = top.value("version", required: true), version.scalar != "0.0" {
            context.error("version must be 0.0, found \(version.scalar.map { "\"\($0)\"" } ?? version.kindDescription)",
                          at: version, path: top.path("version"))
        }
        let resource = decodeResource(top, context)
        let hooks = decodeHooks(top, context)
        guard let resource else { return nil }
        return LambdaAppSpec(resource: resource.name, function: resource.function, alias: resource.alias,
                             currentVersion: resource.current, targetVersion: resource.target, hooks: hooks)
    }

    static func decodeResource(_ top: CaselessMapping, _ context: DecodeContext)
        -> (name: String, function: String, alias: String, current: String, target: String)? {
        guard let node = top.value("Resources", required: true) else { return nil }
        let path = top.path("Resources")
        guard let items = context.sequence(node, path) else { return nil }
        guard let firstItem = items.first else {
            context.error("Resources needs one AWS::Lambda::Function", at: node, path: path)
            return nil
        }
        let (first, firstPath) = firstItem
        for (extra, extraPath) in items.dropFirst() {
            context.error("a Lambda deployment shifts one function: give only one resource", at: extra, path: extraPath)
        }
        guard let pairs = first.mapping, pairs.count == 1, let pair = pairs.first, let name = pair.key.scalar else {
            context.error("a resource is a one-key mapping: its name, then Type and Properties under it", at: first, path: firstPath)
            return nil
        }
        let resourcePath = firstPath.appending(name)
        guard let resource = CaselessMapping(pair.value, resourcePath, known: ["Type", "Properties"], context) else { return nil }
        if let typeNode = resource.value("Type", required: true), let type = context.string(typeNode, resource.path("Type")),
           type != LambdaAppSpec.resourceType {
            let hint = type == "AWS::ECS::Service" ? " (this is an ECS appspec resource; a lambda stage needs a function)" : ""
            context.error("Type must be \(LambdaAppSpec.resourceType), found \"\(type)\"\(hint)", at: typeNode, path: resource.path("Type"))
        }
        guard let propertiesNode = resource.value("Properties", required: true),
              let properties = CaselessMapping(propertiesNode, resource.path("Properties"),
                                               known: ["Name", "Alias", "CurrentVersion", "TargetVersion"], context) else { return nil }
        let function = properties.nonEmptyString("Name")
        let alias = properties.nonEmptyString("Alias")
        let current = properties.version("CurrentVersion")
        let target = properties.version("TargetVersion")
        guard let function, let alias, let current, let target else { return nil }
        if current == target, let node = properties.value("TargetVersion") {
            context.warning("TargetVersion equals CurrentVersion: the deployment moves no traffic", at: node.mark, path: properties.path("TargetVersion"))
        }
        return (name, function, alias, current, target)
    }

    static func decodeHooks(_ top: CaselessMapping, _ context: DecodeContext) -> [String: [String]] {
        guard let node = top.value("Hooks"), !node.isNull else { return [:] }
        let path = top.path("Hooks")
        guard let items = node.sequence else {
            context.error("Hooks is a list of one-key mappings (- BeforeAllowTraffic: MyHookFunction), found \(node.kindDescription)",
                          at: node, path: path)
            return [:]
        }
        var hooks: [String: [String]] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = path.appending(index)
            guard let pairs = item.mapping, pairs.count == 1, let pair = pairs.first, let written = pair.key.scalar else {
                context.error("a hook is a one-key mapping: - BeforeAllowTraffic: MyHookFunction", at: item, path: itemPath)
                continue
            }
            guard let event = LambdaAppSpec.hookEvents.first(where: { $0.lowercased() == written.lowercased() }) else {
                context.error("\"\(written)\" is not a Lambda lifecycle event (BeforeAllowTraffic, AfterAllowTraffic)\(Suggestion.hint(for: written, among: LambdaAppSpec.hookEvents))",
                              at: pair.key, path: itemPath)
                continue
            }
            guard let function = context.string(pair.value, itemPath.appending(written)), !function.isEmpty else { continue }
            if hooks[event] != nil {
                context.warning("a second \(event) hook: both run, in file order", at: pair.key.mark, path: itemPath)
            }
            hooks[event, default: []].append(function)
        }
        return hooks
    }
}

/// A mapping read with case-insensitive keys: unknown keys are warnings (CodeDeploy ignores
/// them), each known key is reported under the spelling the file used.
struct CaselessMapping {
    let node: Node
    let base: FieldPath
    let context: DecodeContext
    private var values: [String: (written: String, key: Node, value: Node)] = [:]

    init?(_ node: Node, _ path: FieldPath, known: [String], _ context: DecodeContext) {
        guard let pairs = node.mapping else {
            context.error("expected a mapping, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        self.node = node
        self.base = path
        self.context = context
        for pair in pairs {
            guard let key = pair.key.scalar else {
                context.error("keys must be strings, found \(pair.key.kindDescription)", at: pair.key, path: path)
                continue
            }
            guard let canonical = known.first(where: { $0.lowercased() == key.lowercased() }) else {
                context.warning("unknown key \"\(key)\" is ignored\(Suggestion.hint(for: key, among: known))", at: pair.key.mark, path: path)
                continue
            }
            values[canonical] = (key, pair.key, pair.value)
        }
    }

    func value(_ key: String, required: Bool = false) -> Node? {
        if let found = values[key] { return found.value }
        if required { context.error("missing required key \"\(key)\"", at: node, path: base) }
        return nil
    }

    func path(_ key: String) -> FieldPath { base.appending(values[key]?.written ?? key) }

    func nonEmptyString(_ key: String) -> String? {
        guard let node = value(key, required: true), let text = context.string(node, path(key)) else { return nil }
        if text.isEmpty {
            context.error("\(key) must not be empty", at: node, path: path(key))
            return nil
        }
        return text
    }

    /// A published version: a positive integer, written plain or quoted (`1`, `"1"`).
    func version(_ key: String) -> String? {
        guard let node = value(key, required: true), let text = context.string(node, path(key)) else { return nil }
        guard let number = Int(text), number > 0, String(number) == text else {
            context.error("\(key) must be a published version number (1, 2, …), found \"\(text)\"", at: node, path: path(key))
            return nil
        }
        return text
    }
}
