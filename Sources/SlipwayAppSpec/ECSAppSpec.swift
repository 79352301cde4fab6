import Foundation
import SlipwayYAML

/// A CodeDeploy appspec for an Amazon ECS blue/green deployment (codedeploy.md §4), in YAML or
/// JSON (JSON is YAML, so one reader serves both):
///
/// ```yaml
/// version: 0.0
/// Resources:
///   - TargetService:
///       Type: AWS::ECS::Service
///       Properties:
///         TaskDefinition: <TASK_DEFINITION>
///         LoadBalancerInfo: {ContainerName: web, ContainerPort: 80}
///         PlatformVersion: LATEST
///         NetworkConfiguration:
///           AwsvpcConfiguration: {Subnets: [..], SecurityGroups: [..], AssignPublicIp: DISABLED}
/// Hooks:
///   - BeforeInstall: fnA
/// ```
public struct ECSAppSpec: Sendable, Equatable {
    public struct Network: Sendable, Equatable {
        public var subnets: [String]
        public var securityGroups: [String]
        public var assignPublicIp: String?

        public init(subnets: [String], securityGroups: [String], assignPublicIp: String?) {
            self.subnets = subnets
            self.securityGroups = securityGroups
            self.assignPublicIp = assignPublicIp
        }
    }

    public struct Hook: Sendable, Equatable {
        public var event: String
        public var function: String
    }

    /// An ARN, a family:revision, or a placeholder such as `<TASK_DEFINITION>` that the deployment
    /// fills with the task definition it registers.
    public var taskDefinition: String
    public var containerName: String
    public var containerPort: Int
    public var platformVersion: String?
    public var network: Network?
    public var hooks: [Hook]

    /// The events an ECS appspec may hook, in the order CodeDeploy runs them.
    public static let hookEvents = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"]

    /// Hook functions of one event, in file order.
    public func functions(for event: String) -> [String] {
        hooks.filter { $0.event == event }.map(\.function)
    }

    /// True when `taskDefinition` is a placeholder to fill rather than a name or ARN.
    public var taskDefinitionIsPlaceholder: Bool {
        taskDefinition.hasPrefix("<") && taskDefinition.hasSuffix(">")
    }
}

/// Reads an ECS appspec, collecting every problem with its line:column and field path.
public enum ECSAppSpecLoader {
    public struct Result: Sendable {
        /// Nil when there are errors.
        public var appSpec: ECSAppSpec?
        public var diagnostics: [Diagnostic]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    }

    /// File names CodeDeploy accepts for an ECS or Lambda appspec.
    public static let fileNames = ["appspec.yaml", "appspec.yml", "appspec.json"]

    /// True when the document declares an `AWS::ECS::Service` resource (how `validate` tells an
    /// ECS appspec from an EC2 one with the same file name). Unreadable files are not ECS.
    public static func isECS(bytes: [UInt8]) -> Bool {
        guard let root = try? YAMLParser.parse(bytes: bytes).root, let pairs = root.mapping else { return false }
        let resources = pairs.first { ["Resources", "resources"].contains($0.key.scalar ?? "") }?.value
        for item in resources?.sequence ?? [] {
            for resource in item.mapping ?? [] {
                let type = resource.value.mapping?.first { ["Type", "type"].contains($0.key.scalar ?? "") }?.value.scalar
                if type == "AWS::ECS::Service" { return true }
            }
        }
        return false
    }

    public static func load(text: String, file: String) -> Result {
        load(bytes: Array(text.utf8), file: file)
    }

    public static func load(bytes: [UInt8], file: String) -> Result {
        let context = DecodeContext(file: file)
        guard let root = context.parse(bytes: bytes, duplicateKeys: .error) else {
            return Result(appSpec: nil, diagnostics: context.diagnostics)
        }
        let spec = decode(root, context)
        return Result(appSpec: context.hasErrors ? nil : spec, diagnostics: context.diagnostics)
    }

    static func decode(_ root: Node, _ context: DecodeContext) -> ECSAppSpec? {
        // The guide capitalises ECS keys and lower-cases Lambda's; both spellings are accepted.
        guard let top = context.mapping(root, .root, allowed: ["version", "Resources", "resources", "Hooks", "hooks"]) else { return nil }
        if let version = top.node("version", required: true), version.scalar != "0.0", version.scalar != "0" {
            context.error("version must be 0.0, found \(version.kindDescription)", at: version, path: FieldPath().appending("version"))
        }
        let resourcesKey = top.has("resources") ? "resources" : "Resources"
        var service: ECSAppSpec?
        if let items = top.sequence(resourcesKey, required: !top.has("resources")) {
            if items.isEmpty {
                context.error("Resources must name the target service", at: top.node(resourcesKey), path: FieldPath().appending(resourcesKey))
            }
            for (item, path) in items {
                guard let pairs = item.mapping, pairs.count == 1, let pair = pairs.first, let name = pair.key.scalar else {
                    context.error("each resource is a one-key mapping (TargetService: {Type: …, Properties: …})", at: item, path: path)
                    continue
                }
                if service != nil {
                    context.error("an ECS deployment has exactly one target service; \(name) is a second one", at: pair.key, path: path)
                    continue
                }
                service = decodeService(pair.value, path.appending(name), context)
            }
        }
        let hooksKey = top.has("hooks") ? "hooks" : "Hooks"
        let hooks = decodeHooks(top, key: hooksKey, context)
        guard var spec = service else { return nil }
        spec.hooks = hooks
        return spec
    }

    static func decodeService(_ node: Node, _ path: FieldPath, _ context: DecodeContext) -> ECSAppSpec? {
        guard let resource = context.mapping(node, path, allowed: ["Type", "Properties"]) else { return nil }
        if let type = resource.string("Type", required: true), type != "AWS::ECS::Service" {
            context.error("Type must be AWS::ECS::Service, found \"\(type)\"", at: resource.node("Type"), path: path.appending("Type"))
        }
        guard let properties = resource.mapping("Properties", required: true, allowed: [
            "TaskDefinition", "LoadBalancerInfo", "PlatformVersion", "NetworkConfiguration", "CapacityProviderStrategy",
        ]) else { return nil }
        let taskDefinition = properties.string("TaskDefinition", required: true)
        let balancer = properties.mapping("LoadBalancerInfo", required: true, allowed: ["ContainerName", "ContainerPort"])
        let containerName = balancer?.string("ContainerName", required: true)
        let containerPort = balancer?.int("ContainerPort", required: true, range: 1...65535)
        let platformVersion = properties.string("PlatformVersion")
        var network: ECSAppSpec.Network?
        if let configuration = properties.mapping("NetworkConfiguration", allowed: ["AwsvpcConfiguration", "awsvpcConfiguration"]) {
            let key = configuration.has("awsvpcConfiguration") ? "awsvpcConfiguration" : "AwsvpcConfiguration"
            if let vpc = configuration.mapping(key, required: true, allowed: ["Subnets", "SecurityGroups", "AssignPublicIp"]) {
                // CodeDeploy takes the network configuration all or nothing.
                let subnets = vpc.stringList("Subnets", required: true)
                let groups = vpc.stringList("SecurityGroups", required: true)
                let assign = vpc.string("AssignPublicIp")
                if let assign, !["ENABLED", "DISABLED"].contains(assign) {
                    context.error("AssignPublicIp must be ENABLED or DISABLED, found \"\(assign)\"",
                                  at: vpc.node("AssignPublicIp"), path: vpc.path.appending("AssignPublicIp"))
                }
                if let subnets, subnets.isEmpty {
                    context.error("Subnets must list at least one subnet", at: vpc.node("Subnets"), path: vpc.path.appending("Subnets"))
                }
                network = ECSAppSpec.Network(subnets: subnets ?? [], securityGroups: groups ?? [], assignPublicIp: assign)
            }
        }
        if properties.has("CapacityProviderStrategy") {
            context.error("CapacityProviderStrategy is not supported by Slipway's ECS plugin (task sets are launched with with.launchType)",
                          at: properties.keyMark("CapacityProviderStrategy"), path: properties.path.appending("CapacityProviderStrategy"))
        }
        guard let taskDefinition, let containerName, let containerPort else { return nil }
        return ECSAppSpec(taskDefinition: taskDefinition, containerName: containerName, containerPort: containerPort,
                          platformVersion: platformVersion, network: network, hooks: [])
    }

    static func decodeHooks(_ top: MappingReader, key: String, _ context: DecodeContext) -> [ECSAppSpec.Hook] {
        guard let node = top.node(key), !node.isNull, let items = top.sequence(key) else { return [] }
        var hooks: [ECSAppSpec.Hook] = []
        for (item, path) in items {
            guard let pairs = item.mapping, pairs.count == 1, let pair = pairs.first, let event = pair.key.scalar else {
                context.error("each hook is a one-key mapping (BeforeInstall: FunctionName)", at: item, path: path)
                continue
            }
            guard ECSAppSpec.hookEvents.contains(event) else {
                let reserved = ["Install", "AllowTestTraffic", "AllowTraffic"].contains(event)
                context.error(reserved ? "\(event) is run by the deployment itself and takes no hook"
                                       : "\"\(event)\" is not an ECS lifecycle event\(Suggestion.hint(for: event, among: ECSAppSpec.hookEvents))",
                              at: pair.key, path: path)
                continue
            }
            guard let function = context.string(pair.value, path.appending(event)) else { continue }
            if function.isEmpty {
                context.error("the hook needs a Lambda function name", at: pair.value, path: path.appending(event))
                continue
            }
            hooks.append(ECSAppSpec.Hook(event: event, function: function))
        }
        return hooks
    }
}

extension ECSAppSpecLoader {
    /// What `slipway validate` reports for a file named like an appspec that declares an ECS
    /// service; nil for anything else (an EC2 appspec, a pipeline), which other checks handle.
    public static func check(path: String) -> [Diagnostic]? {
        guard fileNames.contains((path as NSString).lastPathComponent),
              let data = FileManager.default.contents(atPath: path), isECS(bytes: Array(data)) else { return nil }
        return load(bytes: Array(data), file: path).diagnostics
    }
}
