import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// The repository's own example (pipelines/lambda-canary.yml with demo/lambda), run the way the
/// README says; a stop request; an appspec hook that fails.
@Suite("Lambda example pipeline, stop requests, appspec hooks")
struct LambdaExampleTests {
    typealias State = LambdaFixture.AliasState

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("pipelines/lambda-canary.yml runs against moto after demo/lambda/setup_moto.py, as the README says")
    func readmeFlow() async throws {
        let endpoint = try await SharedMoto.endpoint()
        try await MotoLambda.prepare(endpoint: endpoint)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-lambda-example-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for path in ["pipelines/lambda-canary.yml", "demo/lambda"] {
            let target = root + "/" + path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.repository + "/" + path, toPath: target)
        }
        // A shorter canary than the demo's 20 s; the rest of the file as shipped.
        let pipeline = try String(contentsOfFile: root + "/pipelines/lambda-canary.yml", encoding: .utf8)
        #expect(pipeline.contains("interval: 20s"))
        try pipeline.replacingOccurrences(of: "interval: 20s", with: "interval: 2s")
            .write(toFile: root + "/pipelines/lambda-canary.yml", atomically: true, encoding: .utf8)
        // Unique code, so this run publishes a new version even on a server an earlier run used.
        try "VERSION = \"\(UUID().uuidString)\"\n".write(toFile: root + "/demo/lambda/function/handler.py", atomically: true, encoding: .utf8)
        let environment = ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1"]

        let result = try await MotoLambda.withInvokeLock {
            // The real HOME: pyenv's python3 shim finds its interpreter through it.
            let setup = try await Self.run("/usr/bin/env", ["python3", "demo/lambda/setup_moto.py"], in: root,
                                           environment: environment.merging(["HOME": NSHomeDirectory()]) { _, new in new })
            #expect(setup.status == 0, "\(setup.output)")
            return try await Self.run(LambdaFixture.binary, ["run", "pipelines/lambda-canary.yml"], in: root, environment: environment)
        }
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("AfterAllowTraffic hook checkout-post-traffic: Succeeded"), "\(result.output)")

        // The alias serves exactly the stored revision's code.
        let stored = try FileManager.default.contentsOfDirectory(atPath: root + "/.slipway/store/revisions").filter { $0.hasSuffix(".zip") }
        #expect(stored.count == 1)
        let sha = try #require(stored.first.map { String($0.dropLast(4)) })
        let client = try Self.client(endpoint)
        let live = try await LambdaClient(client: client).functionConfiguration("checkout", qualifier: "live")
        #expect(live.codeSha256 == LambdaClient.codeSha256(hex: sha))
        #expect(try await LambdaClient(client: client).alias("checkout", name: "live").additionalVersionWeights.isEmpty)
    }

    @Test("a stop request (SIGTERM) mid-canary puts the alias back and records the deployment as stopped")
    func stopRequest() async throws {
        let fixture = try await LambdaFixture.make(stage: "    strategy: {canary: {percent: 10, interval: 10m}}")
        defer { fixture.remove() }
        let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
        _ = try await fixture.waitForAlias(process, log: log) { $0.weights == ["2": 0.1] }
        kill(process.processIdentifier, SIGTERM)
        let result = try await fixture.wait(process, log: log)
        #expect(result.status != 0, "\(result.output)")
        #expect(try await fixture.aliasState() == State(version: "1", weights: [:]))
        let history = try await fixture.run(["history", "pipelines/app.yml"])
        #expect(history.output.contains("stopped"), "\(history.output)")
    }

    @Test("a failing appspec hook rolls the alias back to CurrentVersion")
    func failingAppSpecHook() async throws {
        let fixture = try await LambdaFixture.make(stage: "    strategy: {canary: {percent: 50, interval: 1s}}")
        defer { fixture.remove() }
        _ = try await fixture.lambda.publishVersion(fixture.function, codeSha256: nil)
        _ = try await fixture.lambda.updateFunctionCode(fixture.function, source: .zipFile(try await MotoLambda.zip(["handler.py": "v = 2\n"])))
        _ = try await fixture.lambda.waitForUpdate(fixture.function)
        _ = try await fixture.lambda.publishVersion(fixture.function, codeSha256: nil)
        try fixture.write("appspec.json", """
        {"version": 0.0,
         "Resources": [{"fn": {"Type": "AWS::Lambda::Function",
                        "Properties": {"Name": "\(fixture.function)", "Alias": "blue", "CurrentVersion": "1", "TargetVersion": "2"}}}],
         "Hooks": [{"AfterAllowTraffic": "PostTrafficHook"}]}
        """)
        let pipeline = try String(contentsOfFile: fixture.root + "/pipelines/app.yml", encoding: .utf8)
            .replacingOccurrences(of: "      function: \(fixture.function)\n      alias: live\n", with: "      appspec: appspec.json\n")
        try fixture.write("pipelines/app.yml", pipeline)
        let result = try await MotoLambda.withInvokeLock {
            try await MotoLambda.queueInvokeResponses([#"{"status": "Failed"}"#], endpoint: fixture.endpoint)
            return try await fixture.run(["run", "pipelines/app.yml"])
        }
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("AfterAllowTraffic hook PostTrafficHook (appspec) failed: it returned status \"Failed\""), "\(result.output)")
        // Created on CurrentVersion by the first deployment, moved to 2, and back.
        let alias = try await fixture.lambda.alias(fixture.function, name: "blue")
        #expect(alias.functionVersion == "1" && alias.additionalVersionWeights.isEmpty)
    }

    static func client(_ endpoint: String) throws -> AWSClient {
        return try testAWSClient(endpoint: endpoint)
    }

    static func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String]) async throws -> LambdaFixture.Result {
        let log = directory + "/cmd-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory]
            .merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: log) }
        return LambdaFixture.Result(status: process.terminationStatus, output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
