import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// One Lambda deployment scenario: a function in moto, a project folder whose pipeline deploys
/// `code/` to it through the built `slipway` binary and the built Lambda plugin.
struct LambdaFixture {
    let endpoint: String
    let client: AWSClient
    let lambda: LambdaClient
    let function: String
    let root: String

    static let alias = "live"

    /// Creates the function (its first code is `handler.py` with `v0`) and the project.
    /// `stage` is the YAML of the stage's extra keys (strategy, hooks, gates), indented 4.
    static func make(stage: String, store: String = "file://store", with extra: String = "") async throws -> LambdaFixture {
        let endpoint = try await SharedMoto.endpoint()
        try await MotoLambda.prepare(endpoint: endpoint)
        let client = try testAWSClient(endpoint: endpoint)
        let function = "fn-\(UUID().uuidString.prefix(8).lowercased())"
        try await MotoLambda.createFunction(function, files: ["handler.py": "VERSION = 'v0'\n"], client: client)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-lambda-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/code", withIntermediateDirectories: true)
        let fixture = LambdaFixture(endpoint: endpoint, client: client, lambda: LambdaClient(client: client), function: function, root: root)
        try fixture.write("pipelines/app.yml", """
        name: fnapp
        revision: {source: code, format: zip}
        store: \(store)
        stages:
          - name: api
            type: lambda
        \(stage)
            with:
              function: \(function)
              alias: \(alias)
        \(extra)
        """)
        try fixture.setCode("v1")
        return fixture
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// The function code the next run packages.
    func setCode(_ version: String) throws {
        try write("code/handler.py", "VERSION = '\(version)'\ndef handler(event, context):\n    return {'version': VERSION}\n")
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    var cliEnvironment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
         "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1"]
    }

    // MARK: the binary

    static let binary = BuiltProducts.slipway

    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// Starts `slipway` with stdout and stderr into one file; the caller waits or kills.
    func start(_ arguments: [String]) throws -> (process: Process, log: String) {
        let log = root + "/run-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": root]
            .merging(cliEnvironment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return (process, log)
    }

    /// Waits for the process without blocking a cooperative thread.
    func wait(_ process: Process, log: String) async throws -> Result {
        Result(status: await waitForExit(process), output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    func run(_ arguments: [String]) async throws -> Result {
        let (process, log) = try start(arguments)
        return try await wait(process, log: log)
    }

    // MARK: observing the alias

    struct AliasState: Equatable, CustomStringConvertible, Sendable {
        var version: String
        var weights: [String: Double]
        var description: String { weights.isEmpty ? "v\(version)" : "v\(version)+" + weights.sorted { $0.key < $1.key }.map { "v\($0.key)@\($0.value)" }.joined(separator: ",") }
    }

    func aliasState() async throws -> AliasState? {
        try await lambda.aliasIfExists(function, name: Self.alias).map { AliasState(version: $0.functionVersion, weights: $0.additionalVersionWeights) }
    }

    /// The distinct alias states of a run, in order: `initial` (read before the process started),
    /// the state during every bake (each gate probe is held by `checkpoints` while the alias is
    /// read, so no step can slip by on a busy machine), and the state the run ended in.
    func observe(_ process: Process, startingWith initial: AliasState?, checkpoints: BakeCheckpoints) async throws -> [AliasState] {
        var seen: [AliasState] = initial.map { [$0] } ?? []
        var probe = 1
        while try await checkpoints.waitFor(probe, while: { process.isRunning }) {
            if let state = try await aliasState(), seen.last != state { seen.append(state) }
            checkpoints.release(probe)
            probe += 1
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if let state = try await aliasState(), seen.last != state { seen.append(state) }
        return seen
    }

    /// Polls GetAlias until `condition` holds while the runner `process` lives (bounded
    /// generously: the box is busy). A runner that ends first fails with its output.
    func waitForAlias(_ process: Process, log: String, timeout: Duration = .seconds(180),
                      _ condition: (AliasState) -> Bool) async throws -> AliasState {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let state = try? await aliasState(), condition(state) { return state }
            if !process.isRunning {
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw FixtureError(message: "the runner ended (status \(process.terminationStatus)) before the alias reached the expected state:\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FixtureError(message: "the alias never reached the expected state within \(timeout)")
    }

    func publishedVersions() async throws -> [String] {
        try await lambda.versions(function).map(\.version).filter { $0 != "$LATEST" }
    }

    /// The id of the deployment `history` shows in progress.
    func inProgressDeployment() async throws -> String? {
        let history = try await run(["history", "pipelines/app.yml"])
        return history.output.split(separator: "\n").first { $0.contains("inProgress") }.map { String($0.prefix { $0 != " " }) }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
