import Foundation
import SlipwayAWS
import SlipwayEvents
import SlipwayYAML

/// A pipeline and the warnings found while reading it.
public struct LoadedPipeline: Sendable {
    public var pipeline: Pipeline
    public var warnings: [Diagnostic]
}

/// Reads `pipelines/*.yml`: parse with libyaml, decode every key with positions, interpolate,
/// check references. All problems of a file are reported together.
public struct PipelineLoader: Sendable {
    public var environment: [String: String]
    /// `--var NAME=value` from the command line; each must name a declared variable.
    public var varOverrides: [String: String]
    public var strictness: InterpolationContext.Strictness
    /// The commit of the directory's git repository, if any.
    public var gitSHA: @Sendable (String) -> String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                varOverrides: [String: String] = [:],
                strictness: InterpolationContext.Strictness = .strict,
                gitSHA: @escaping @Sendable (String) -> String? = GitInfo.headCommit(in:)) {
        self.environment = environment
        self.varOverrides = varOverrides
        self.strictness = strictness
        self.gitSHA = gitSHA
    }

    public func load(path: String) throws(DiagnosticList) -> LoadedPipeline {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw DiagnosticList([Diagnostic(file: path, mark: nil, message: reason)])
        }
        return try load(bytes: [UInt8](data), file: path)
    }

    public func load(bytes: [UInt8], file: String) throws(DiagnosticList) -> LoadedPipeline {
        let context = DecodeContext(file: file)
        let root = projectRoot(for: file)
        var decoder = PipelineDecoder(context: context, loader: self, root: root)
        let pipeline = context.parse(bytes: bytes).flatMap { decoder.decode($0) }
        // Messages quote the values they complain about; a secret's value must not be one.
        let masker = SecretMasker(secrets: decoder.interpolation.vars.values.filter(\.secret).map(\.value))
        let diagnostics = context.diagnostics.map { diagnostic in
            var masked = diagnostic
            masked.message = masker.mask(diagnostic.message)
            return masked
        }
        guard let pipeline, !context.hasErrors else {
            throw DiagnosticList(diagnostics)
        }
        return LoadedPipeline(pipeline: pipeline, warnings: diagnostics)
    }

    /// Relative paths in a pipeline resolve against the repository that holds it: the parent of
    /// a `pipelines/` folder, or else the pipeline file's own folder.
    public func projectRoot(for file: String) -> String {
        let url = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
        let folder = url.lastPathComponent == "pipelines" ? url.deletingLastPathComponent() : url
        return folder.path
    }
}

/// Platform of the built-in target types, to refuse a strategy that cannot apply to them.
/// Third-party types are checked once their plugin says which primitives it implements.
let builtInPlatforms: [String: ComputePlatform] = ["ec2": .server, "asg": .server, "lambda": .lambda, "ecs": .ecs]

/// Lifecycle events a stage's `hooks:` may name (CodeDeploy's scriptable and traffic events).
public let stageHookEvents = [
    "ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService",
    "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic",
    "AfterAllowTestTraffic",
]
let reservedHookEvents = ["Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "AllowTestTraffic", "End"]

private struct PipelineDecoder {
    let context: DecodeContext
    let loader: PipelineLoader
    let root: String
    var interpolation: InterpolationContext

    init(context: DecodeContext, loader: PipelineLoader, root: String) {
        self.context = context
        self.loader = loader
        self.root = root
        self.interpolation = InterpolationContext(environment: loader.environment, strictness: loader.strictness)
    }

    mutating func decode(_ node: Node) -> Pipeline? {
        let keys = ["version", "name", "env", "vars", "revision", "build", "store", "stages", "plugins"]
        guard let top = context.mapping(node, .root, allowed: keys) else { return nil }
        if let version = top.node("version"), let number = context.int(version, FieldPath.root.appending("version")), number != 1 {
            context.error("unsupported pipeline format version \(number) (this Slipway reads version 1)", at: version, path: FieldPath.root.appending("version"))
        }
        let name = top.string("name", required: true)
        if let name, !isIdentifier(name) {
            context.error("name \"\(name)\" may only hold letters, digits, '.', '_' and '-'", at: top.node("name"), path: FieldPath.root.appending("name"))
        }
        let vars = top.node("vars").map { decodeVars($0, FieldPath.root.appending("vars")) } ?? [:]
        if !top.has("vars"), let name = loader.varOverrides.keys.sorted().first {
            context.error("--var \(name): the pipeline declares no variables", at: node, path: .root)
        }
        interpolation.vars = vars
        if usesGit(node) { interpolation.gitSHA = loader.gitSHA(root) }
        let env = top.node("env").map { decodeEnv($0, FieldPath.root.appending("env")) } ?? [:]
        // `env.NAME` reads the pipeline's own env first, then the process environment.
        interpolation.environment.merge(env) { _, pipeline in pipeline }
        let revision = decodeRevision(top.node("revision"), FieldPath.root.appending("revision"))
        let build = top.sequence("build").map { $0.compactMap { decodeStep($0.node, $0.path) } } ?? []
        let store = decodeStore(top.node("store"), FieldPath.root.appending("store"))
        let stages = top.sequence("stages").map { $0.compactMap { decodeStage($0.node, $0.path) } } ?? []
        checkStageGraph(stages, top)
        var pins: [String: VersionRange] = [:]
        for entry in top.node("plugins").flatMap({ context.stringMap($0, FieldPath.root.appending("plugins")) }) ?? [] {
            if let range = VersionRange(entry.value) {
                pins[entry.key] = range
            } else {
                context.error("\"\(entry.value)\" is not a version range (examples: ^1.2, ~1.2.3, >=1.0.0 <2.0.0, 1.x)",
                              at: entry.node, path: FieldPath.root.appending("plugins").appending(entry.key))
            }
        }
        guard let name, let revision, let store else { return nil }
        return Pipeline(file: context.file, root: root, name: name, env: env, vars: vars, revision: revision,
                        build: build, store: store, stages: stages, pluginPins: pins)
    }

    // MARK: Values

    /// A string with its `${{ }}` expressions replaced; problems point at the scalar.
    func text(_ node: Node, _ path: FieldPath, allowRevision: Bool = false) -> String? {
        guard let raw = context.string(node, path) else { return nil }
        if !allowRevision, Interpolation.readsRevision(raw) {
            context.error("revision.sha256 is only known after packaging: use it in stages, not here", at: node, path: path)
            return nil
        }
        var failed = false
        let value = Interpolation.resolve(raw, in: interpolation) { problem in
            if problem.isWarning {
                context.warning(problem.message, at: node.mark, path: path)
            } else {
                failed = true
                context.error(problem.message, at: node, path: path)
            }
        }
        return failed ? nil : value
    }

    func text(_ reader: MappingReader, _ key: String, required: Bool = false, allowRevision: Bool = false) -> String? {
        reader.node(key, required: required).flatMap { text($0, reader.path.appending(key), allowRevision: allowRevision) }
    }

    func duration(_ reader: MappingReader, _ key: String, allowZero: Bool = false) -> Duration? {
        guard let node = reader.node(key), let raw = text(node, reader.path.appending(key)) else { return nil }
        guard let value = DurationText.parse(raw), value > .zero || (allowZero && value == .zero) else {
            context.error("\"\(raw)\" is not a duration (examples: 30s, 5m, 1h30m)", at: node, path: reader.path.appending(key))
            return nil
        }
        return value
    }

    func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    func usesGit(_ node: Node) -> Bool {
        var pending = [node]
        var seen = 0
        while let next = pending.popLast(), seen < 100_000 {
            seen += 1
            switch next.content {
            case .scalar(let text, _): if text.contains("git.sha") { return true }
            case .sequence(let items): pending += items
            case .mapping(let pairs): pending += pairs.map(\.value)
            }
        }
        return false
    }

    // MARK: Sections

    func decodeVars(_ node: Node, _ path: FieldPath) -> [String: Variable] {
        guard let pairs = node.mapping else {
            context.error("expected a mapping of variable names, found \(node.kindDescription)", at: node, path: path)
            return [:]
        }
        var vars: [String: Variable] = [:]
        for pair in pairs {
            guard let name = pair.key.scalar, isIdentifier(name) else {
                context.error("variable names may only hold letters, digits, '.', '_' and '-'", at: pair.key, path: path)
                continue
            }
            let varPath = path.appending(name)
            var variable: Variable?
            if pair.value.mapping != nil, let spec = context.mapping(pair.value, varPath, allowed: ["value", "fromEnv", "secret"]) {
                let secret = spec.bool("secret") ?? false
                switch (spec.string("value"), spec.string("fromEnv")) {
                case (let value?, nil):
                    variable = Variable(value: value, secret: secret)
                case (nil, let envName?):
                    if let value = loader.varOverrides[name] ?? loader.environment[envName] {
                        variable = Variable(value: value, secret: secret)
                    } else if loader.strictness == .lenient {
                        context.warning("environment variable \(envName) is not set here; it must be set when the pipeline runs", at: pair.value.mark, path: varPath)
                        variable = Variable(value: "", secret: secret)
                    } else {
                        context.error("environment variable \(envName) is not set", at: pair.value, path: varPath.appending("fromEnv"))
                    }
                case (.some, .some):
                    context.error("give either \"value\" or \"fromEnv\", not both", at: pair.value, path: varPath)
                case (nil, nil):
                    context.error("missing \"value\" or \"fromEnv\"", at: pair.value, path: varPath)
                }
            } else if pair.value.mapping == nil, let value = context.string(pair.value, varPath) {
                variable = Variable(value: value)
            }
            if var variable {
                if let override = loader.varOverrides[name] { variable.value = override }
                vars[name] = variable
            }
        }
        for name in loader.varOverrides.keys.sorted() where vars[name] == nil {
            context.error("--var \(name): the pipeline declares no such variable\(Suggestion.hint(for: name, among: Array(vars.keys)))", at: node, path: path)
        }
        return vars
    }

    func decodeEnv(_ node: Node, _ path: FieldPath) -> [String: String] {
        var env: [String: String] = [:]
        for entry in context.stringMap(node, path) ?? [] {
            if let value = text(entry.node, path.appending(entry.key)) { env[entry.key] = value }
        }
        return env
    }

    func decodeRevision(_ node: Node?, _ path: FieldPath) -> RevisionSpec? {
        var spec = RevisionSpec(source: root, format: .tgz, include: [], exclude: [])
        guard let node else { return spec }
        guard let reader = context.mapping(node, path, allowed: ["source", "format", "include", "exclude"]) else { return nil }
        if let source = text(reader, "source") { spec.source = resolve(source) }
        if let formatNode = reader.node("format"), let name = context.string(formatNode, path.appending("format")) {
            if let format = RevisionSpec.Format(rawValue: name) {
                spec.format = format
            } else {
                let names = RevisionSpec.Format.allCases.map(\.rawValue)
                context.error("unknown format \"\(name)\"\(Suggestion.hint(for: name, among: names)) (one of: \(names.joined(separator: ", ")))",
                              at: formatNode, path: path.appending("format"))
            }
        }
        spec.include = reader.stringList("include") ?? []
        spec.exclude = reader.stringList("exclude") ?? []
        return spec
    }

    func decodeStep(_ node: Node, _ path: FieldPath) -> BuildStep? {
        guard let reader = context.mapping(node, path, allowed: ["name", "run", "dir", "env", "timeout"]) else { return nil }
        let index = path.components.last.flatMap { if case .index(let i) = $0 { i } else { nil } } ?? 0
        let name = reader.string("name") ?? "step \(index + 1)"
        let run = text(reader, "run", required: true)
        let dir = text(reader, "dir").map(resolve) ?? root
        let env = reader.node("env").map { decodeEnv($0, path.appending("env")) } ?? [:]
        let timeout = duration(reader, "timeout")
        guard let run else { return nil }
        return BuildStep(name: name, run: run, dir: dir, env: env, timeout: timeout)
    }

    func decodeStore(_ node: Node?, _ path: FieldPath) -> StoreSpec? {
        let defaultPath = resolve(".slipway/store")
        guard let node else {
            return StoreSpec(url: "file://\(defaultPath)", location: .file(path: defaultPath), region: nil, endpoint: nil)
        }
        var url: String?
        var region: String?
        var endpoint: String?
        var transfer = S3TransferOptions()
        var transferKeysGiven = false
        var urlNode = node
        var urlPath = path
        if node.scalar != nil {
            url = text(node, path)
        } else if let reader = context.mapping(node, path, allowed: ["url", "region", "endpoint"] + Self.transferKeys) {
            url = text(reader, "url", required: true)
            urlNode = reader.node("url") ?? node
            urlPath = path.appending("url")
            region = text(reader, "region")
            endpoint = text(reader, "endpoint")
            if let endpoint, let endpointNode = reader.node("endpoint"),
               !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
                context.error("endpoint must be an http:// or https:// URL, found \"\(endpoint)\"", at: endpointNode, path: path.appending("endpoint"))
            }
            transferKeysGiven = Self.transferKeys.contains { reader.node($0) != nil }
            transfer = decodeTransfer(reader)
        }
        guard let url else { return nil }
        if url.hasPrefix("file://") {
            let location = String(url.dropFirst("file://".count))
            guard !location.isEmpty else {
                context.error("file:// needs a path, e.g. file://.slipway/store", at: urlNode, path: urlPath)
                return nil
            }
            if region != nil || endpoint != nil {
                context.error("region and endpoint apply to s3:// stores only", at: node, path: path)
            }
            if transferKeysGiven {
                context.error("\(Self.transferKeys.joined(separator: ", ")) apply to s3:// stores only", at: node, path: path)
            }
            return StoreSpec(url: url, location: .file(path: resolve(location)), region: nil, endpoint: nil)
        }
        if url.hasPrefix("s3://") {
            let rest = url.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            let prefix = rest.dropFirst(bucket.count).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard isBucketName(bucket) else {
                context.error("\"\(bucket)\" is not a valid S3 bucket name (3–63 lowercase letters, digits, '.' and '-')", at: urlNode, path: urlPath)
                return nil
            }
            return StoreSpec(url: url, location: .s3(bucket: bucket, prefix: prefix), region: region, endpoint: endpoint,
                             transfer: transfer)
        }
        context.error("store must be a file:// or s3:// URL, found \"\(url)\"", at: urlNode, path: urlPath)
        return nil
    }

    static let transferKeys = ["multipartThreshold", "partSize", "concurrency"]
    /// S3 takes at most 5 GiB in one PUT or one part, and at least 5 MiB in every part but the last.
    static let s3PartSizes: ClosedRange<Int64> = (5 << 20)...(5 << 30)

    /// The s3:// transfer settings, each defaulting to `S3TransferOptions()`'s.
    func decodeTransfer(_ reader: MappingReader) -> S3TransferOptions {
        let defaults = S3TransferOptions()
        return S3TransferOptions(multipartThreshold: byteSize(reader, "multipartThreshold") ?? defaults.multipartThreshold,
                                 partSize: byteSize(reader, "partSize") ?? defaults.partSize,
                                 maxConcurrentParts: reader.int("concurrency", range: 1...64) ?? defaults.maxConcurrentParts)
    }

    func byteSize(_ reader: MappingReader, _ key: String) -> Int? {
        guard let node = reader.node(key), let raw = text(node, reader.path.appending(key)) else { return nil }
        guard let bytes = ByteSizeText.parse(raw) else {
            context.error("\"\(raw)\" is not a size (examples: 8MiB, 100MB, 5GiB, 8388608)", at: node, path: reader.path.appending(key))
            return nil
        }
        let range = Self.s3PartSizes
        guard range.contains(bytes) else {
            context.error("\(raw) is out of range (\(ByteSizeText.format(range.lowerBound))–\(ByteSizeText.format(range.upperBound)))",
                          at: node, path: reader.path.appending(key))
            return nil
        }
        return Int(bytes)
    }

    func isBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count)
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
            && name.first.map { $0.isLetter || $0.isNumber } == true
    }

    func resolve(_ relative: String) -> String {
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : URL(fileURLWithPath: root).appendingPathComponent(relative)
        return url.standardizedFileURL.path
    }

    // MARK: Stages

    func decodeStage(_ node: Node, _ path: FieldPath) -> Stage? {
        let keys = ["name", "type", "needs", "strategy", "hooks", "gates", "with"]
        guard let reader = context.mapping(node, path, allowed: keys) else { return nil }
        let name = reader.string("name", required: true)
        if let name, !isIdentifier(name) {
            context.error("stage name \"\(name)\" may only hold letters, digits, '.', '_' and '-'", at: reader.node("name"), path: path.appending("name"))
        }
        let type = reader.string("type", required: true)
        if let type, !isIdentifier(type) {
            context.error("type \"\(type)\" is not a target type name", at: reader.node("type"), path: path.appending("type"))
        }
        let strategy = reader.node("strategy").flatMap { decodeStrategy($0, path.appending("strategy"), type: type) }
        let hooks = reader.node("hooks").map { decodeHooks($0, path.appending("hooks")) } ?? [:]
        let gates = reader.sequence("gates").map { $0.compactMap { decodeGate($0.node, $0.path) } } ?? []
        let withNode = reader.node("with")
        var with = ConfigValue.object([:])
        if let withNode {
            if withNode.mapping == nil {
                context.error("expected a mapping of plugin settings, found \(withNode.kindDescription)", at: withNode, path: path.appending("with"))
            } else {
                with = ConfigValue.from(withNode) { raw, scalar in
                    text(scalar, path.appending("with"), allowRevision: true) ?? raw
                }
            }
        }
        guard let name, let type else { return nil }
        return Stage(name: name, type: type, needs: reader.stringList("needs") ?? [], strategy: strategy,
                     hooks: hooks, gates: gates, with: with, withNode: withNode, mark: node.mark)
    }

    func decodeStrategy(_ node: Node, _ path: FieldPath, type: String?) -> StageStrategy? {
        let platform = type.flatMap { builtInPlatforms[$0] }
        if node.scalar != nil {
            return namedStrategy(node, path, platform: platform)
        }
        let kinds = ["config", "minimumHealthyHosts", "canary", "linear", "allAtOnce", "steps"]
        guard let reader = context.mapping(node, path, allowed: kinds) else { return nil }
        let given = kinds.filter(reader.has)
        guard given.count == 1, let kind = given.first else {
            context.error(given.isEmpty ? "give one of: \(kinds.joined(separator: ", "))"
                                        : "give only one of: \(given.joined(separator: ", "))", at: node, path: path)
            return nil
        }
        let value = reader.node(kind)!
        let kindPath = path.appending(kind)
        let config: DeploymentConfig?
        switch kind {
        case "config":
            return namedStrategy(value, kindPath, platform: platform)
        case "minimumHealthyHosts":
            config = decodeMinimumHealthy(value, kindPath).map(DeploymentConfig.fleet)
        case "canary", "linear":
            guard let shift = context.mapping(value, kindPath, allowed: ["percent", "interval"]) else { return nil }
            guard let percent = shift.int("percent", required: true, range: 1...99),
                  let interval = requiredDuration(shift, "interval") else { return nil }
            config = .traffic(kind == "canary" ? .canary(percent: percent, interval: interval)
                                               : .linear(percent: percent, interval: interval))
        case "allAtOnce":
            guard context.bool(value, kindPath) == true else {
                context.error("allAtOnce takes true; leave it out for the default", at: value, path: kindPath)
                return nil
            }
            config = platform == .server ? .fleet(.hostCount(0)) : .traffic(.allAtOnce)
        default:
            config = decodeSteps(value, kindPath).map { .traffic(.steps($0)) }
        }
        guard let config else { return nil }
        for problem in config.validate() { context.error(problem, at: value, path: kindPath) }
        checkPlatform(config, name: nil, platform: platform, node: value, path: path)
        return StageStrategy(name: nil, config: config)
    }

    func namedStrategy(_ node: Node, _ path: FieldPath, platform: ComputePlatform?) -> StageStrategy? {
        guard let name = context.string(node, path) else { return nil }
        guard let named = DeploymentConfigs.named(name) else {
            let candidates = DeploymentConfigs.names.filter { candidate in
                platform.map { DeploymentConfigs.named(candidate)?.platform == $0 } ?? true
            }
            context.error("unknown deployment config \"\(name)\"\(Suggestion.hint(for: name, among: candidates.isEmpty ? DeploymentConfigs.names : candidates))",
                          at: node, path: path)
            return nil
        }
        if let platform, named.platform != platform {
            context.error("\(name) is a \(named.platform.rawValue) deployment config; this stage's target needs a \(platform.rawValue) one",
                          at: node, path: path)
            return nil
        }
        return StageStrategy(name: named.name, config: named.config)
    }

    func checkPlatform(_ config: DeploymentConfig, name: String?, platform: ComputePlatform?, node: Node, path: FieldPath) {
        switch (config, platform) {
        case (.fleet, .lambda?), (.fleet, .ecs?):
            context.error("minimumHealthyHosts applies to in-place fleets; \(platform!.rawValue) stages shift traffic (use canary, linear, steps or allAtOnce)", at: node, path: path)
        case (.traffic, .server?):
            // Server stages shift traffic only in blue/green mode, which the plugin decides.
            break
        default:
            break
        }
    }

    func requiredDuration(_ reader: MappingReader, _ key: String) -> Duration? {
        guard reader.node(key, required: true) != nil else { return nil }
        return duration(reader, key)
    }

    func decodeMinimumHealthy(_ node: Node, _ path: FieldPath) -> MinimumHealthyHosts? {
        guard let reader = context.mapping(node, path, allowed: ["type", "value"]) else { return nil }
        let value = reader.int("value", required: true)
        guard let typeNode = reader.node("type", required: true), let type = context.string(typeNode, path.appending("type")) else { return nil }
        guard let value else { return nil }
        switch type {
        case "HOST_COUNT": return .hostCount(value)
        case "FLEET_PERCENT": return .fleetPercent(value)
        default:
            context.error("unknown type \"\(type)\"\(Suggestion.hint(for: type, among: ["HOST_COUNT", "FLEET_PERCENT"])) (HOST_COUNT or FLEET_PERCENT)",
                          at: typeNode, path: path.appending("type"))
            return nil
        }
    }

    func decodeSteps(_ node: Node, _ path: FieldPath) -> [TrafficStep]? {
        guard let items = context.sequence(node, path) else { return nil }
        var steps: [TrafficStep] = []
        for item in items {
            guard let reader = context.mapping(item.node, item.path, allowed: ["percent", "bake"]),
                  let percent = reader.int("percent", required: true, range: 1...100) else { continue }
            let bake = reader.has("bake") ? duration(reader, "bake", allowZero: true) : .zero
            if let bake { steps.append(TrafficStep(percent: percent, bake: bake)) }
        }
        return steps.count == items.count ? steps : nil
    }

    func decodeHooks(_ node: Node, _ path: FieldPath) -> [String: [String]] {
        guard let pairs = node.mapping else {
            context.error("expected a mapping of lifecycle events, found \(node.kindDescription)", at: node, path: path)
            return [:]
        }
        var hooks: [String: [String]] = [:]
        for pair in pairs {
            guard let event = pair.key.scalar else {
                context.error("lifecycle event names are strings, found \(pair.key.kindDescription)", at: pair.key, path: path)
                continue
            }
            if reservedHookEvents.contains(event) {
                context.error("\(event) is run by Slipway itself and takes no hooks", at: pair.key, path: path)
                continue
            }
            guard stageHookEvents.contains(event) else {
                context.error("unknown lifecycle event \"\(event)\"\(Suggestion.hint(for: event, among: stageHookEvents))", at: pair.key, path: path)
                continue
            }
            // One command or function, or a list of them.
            let items = pair.value.sequence.map { $0.enumerated().map { ($0.element, path.appending(event).appending($0.offset)) } }
                ?? [(pair.value, path.appending(event))]
            hooks[event] = items.compactMap { item, itemPath in text(item, itemPath, allowRevision: true) }
        }
        return hooks
    }

    func decodeGate(_ node: Node, _ path: FieldPath) -> Gate? {
        let kinds = ["alarm", "http", "command"]
        let keys = kinds + ["name", "expectStatus", "expectBody", "interval", "timeout", "failureBudget"]
        guard let reader = context.mapping(node, path, allowed: keys) else { return nil }
        let given = kinds.filter(reader.has)
        guard given.count == 1, let kind = given.first else {
            context.error(given.isEmpty ? "a gate needs one of: alarm, http, command" : "a gate checks one thing: give only one of \(given.joined(separator: ", "))",
                          at: node, path: path)
            return nil
        }
        guard let target = text(reader, kind, allowRevision: true) else { return nil }
        if kind != "http", reader.has("expectStatus") || reader.has("expectBody") {
            context.error("expectStatus and expectBody apply to http gates only", at: node, path: path)
        }
        let check: Gate.Check
        switch kind {
        case "alarm":
            check = .alarm(name: target)
        case "http":
            if !(target.hasPrefix("http://") || target.hasPrefix("https://")) {
                context.error("\"\(target)\" is not an http:// or https:// URL", at: reader.node("http"), path: path.appending("http"))
            }
            check = .http(url: target, status: reader.int("expectStatus", range: 100...599) ?? 200, body: text(reader, "expectBody"))
        default:
            check = .command(run: target)
        }
        // An alarm already aggregates many data points; a probe is one sample, so it gets a
        // budget of one failure by default and a single flaky answer does not roll back.
        let defaultBudget = kind == "alarm" ? 0 : 1
        return Gate(name: reader.string("name") ?? "\(kind) \(target)", check: check,
                    interval: duration(reader, "interval") ?? .seconds(10),
                    timeout: duration(reader, "timeout") ?? .seconds(5),
                    failureBudget: reader.int("failureBudget", range: 0...1000) ?? defaultBudget)
    }

    func checkStageGraph(_ stages: [Stage], _ top: MappingReader) {
        let path = FieldPath.root.appending("stages")
        var seen: [String: Int] = [:]
        for (index, stage) in stages.enumerated() {
            if seen[stage.name] != nil {
                context.error("a stage named \"\(stage.name)\" is already defined", at: stage.mark, path: path.appending(index).appending("name"))
            }
            seen[stage.name] = index
        }
        for (index, stage) in stages.enumerated() {
            for need in stage.needs where seen[need] == nil || need == stage.name {
                let message = need == stage.name ? "a stage cannot need itself"
                    : "needs unknown stage \"\(need)\"\(Suggestion.hint(for: need, among: Array(seen.keys)))"
                context.error(message, at: stage.mark, path: path.appending(index).appending("needs"))
            }
        }
        if let cycle = StageOrder.cycle(in: stages) {
            context.error("stages need each other in a cycle: \(cycle.joined(separator: " → "))", at: top.keyMark("stages"), path: path)
        }
    }
}
