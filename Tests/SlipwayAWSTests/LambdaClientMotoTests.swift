import Crypto
import Foundation
import SlipwayTestSupport
import Testing
@testable import SlipwayAWS

/// The Lambda client and the hook contract against a real moto_server (docker-free Lambda).
@Suite("Lambda client and hook invoker against moto")
struct LambdaClientMotoTests {
    func client() async throws -> AWSClient {
        let endpoint = try await SharedMoto.endpoint()
        try await MotoLambda.prepare(endpoint: endpoint)
        return try testAWSClient(endpoint: endpoint)
    }

    static func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test("update code, wait, publish with the CodeSha256 guard, list versions, shift and clear an alias")
    func versionsAndAliases() async throws {
        let client = try await client()
        let lambda = LambdaClient(client: client)
        let name = Self.unique("fn")
        try await MotoLambda.createFunction(name, files: ["index.py": "def handler(e, c): return 1\n"], client: client)

        let newZip = try await MotoLambda.zip(["index.py": "def handler(e, c): return 2\n"])
        let expectedSha = try #require(LambdaClient.codeSha256(hex: Self.hex(newZip)))
        let updated = try await lambda.updateFunctionCode(name, source: .zipFile(newZip))
        #expect(updated.codeSha256 == expectedSha)
        let settled = try await lambda.waitForUpdate(name, timeout: .seconds(60))
        #expect(settled.codeSha256 == expectedSha && settled.lastUpdateStatus != "InProgress")

        let version = try await lambda.publishVersion(name, codeSha256: expectedSha, description: "slipway test")
        #expect(version.version == "1" && version.codeSha256 == expectedSha)
        let versions = try await lambda.versions(name)
        #expect(versions.map(\.version) == ["$LATEST", "1"])
        #expect(try await lambda.functionConfiguration(name, qualifier: "1").codeSha256 == expectedSha)
        #expect(try await lambda.function(name).functionName == name)

        #expect(try await lambda.aliasIfExists(name, name: "live") == nil)
        let created = try await lambda.createAlias(name, name: "live", version: "1")
        #expect(created.functionVersion == "1" && created.additionalVersionWeights.isEmpty)
        _ = try await lambda.updateAlias(name, name: "live", version: "1", weights: ["2": 0.25])
        #expect(try await lambda.alias(name, name: "live").additionalVersionWeights == ["2": 0.25])
        _ = try await lambda.updateAlias(name, name: "live", version: "1", weights: [:])
        let cleared = try await lambda.alias(name, name: "live")
        #expect(cleared.functionVersion == "1" && cleared.additionalVersionWeights.isEmpty)
    }

    @Test("a missing function or alias is nil for the IfExists reads and ResourceNotFoundException otherwise")
    func notFound() async throws {
        let client = try await client()
        let lambda = LambdaClient(client: client)
        let name = Self.unique("missing")
        #expect(try await lambda.functionIfExists(name) == nil)
        do {
            _ = try await lambda.alias(name, name: "live")
            Issue.record("GetAlias of a missing function succeeded")
        } catch let error as AWSError {
            #expect(LambdaClient.isNotFound(error))
            #expect(error.code == "ResourceNotFoundException")
        }
    }

    @Test("UpdateFunctionCode from an S3 object gives the object's SHA-256 as CodeSha256")
    func codeFromS3() async throws {
        let client = try await client()
        let name = Self.unique("s3fn")
        try await MotoLambda.createFunction(name, files: ["index.py": "x = 1\n"], client: client)
        let zip = try await MotoLambda.zip(["index.py": "x = 2\n", "lib/util.py": "y = 3\n"])
        let bucket = uniqueBucketName("lambda")
        let s3 = S3Client(client: client)
        try await s3.createBucket(bucket)
        try await s3.putObject(bucket: bucket, key: "revisions/code.zip", body: zip)

        let lambda = LambdaClient(client: client)
        _ = try await lambda.updateFunctionCode(name, source: .s3(bucket: bucket, key: "revisions/code.zip", objectVersion: nil))
        let settled = try await lambda.waitForUpdate(name, timeout: .seconds(60))
        #expect(settled.codeSha256 == LambdaClient.codeSha256(hex: Self.hex(zip)))
    }

    @Test("CodeSha256 is the base64 of the hex SHA-256; bad hex is refused")
    func codeShaConversion() {
        let data = Data("hello".utf8)
        #expect(LambdaClient.codeSha256(hex: Self.hex(data)) == Data(SHA256.hash(data: data)).base64EncodedString())
        #expect(LambdaClient.codeSha256(hex: "zz") == nil)
        #expect(LambdaClient.codeSha256(hex: String(repeating: "g", count: 64)) == nil)
    }

    @Test("a hook gets DeploymentId and LifecycleEventHookExecutionId and passes only on status Succeeded")
    func hookContract() async throws {
        let client = try await client()
        let endpoint = try await SharedMoto.endpoint()
        let name = Self.unique("hook")
        try await MotoLambda.createFunction(name, files: ["index.py": "def handler(e, c): return e\n"], client: client)
        let invoker = LambdaHookInvoker(lambda: LambdaClient(client: client))
        let executionId = LambdaHookInvoker.executionId(deploymentId: "d-ABC", event: "BeforeAllowTraffic", function: name)

        try await MotoLambda.withInvokeLock {
            // No canned answer: moto echoes the payload, which shows what the hook received,
            // and an echo has no status, so the hook fails.
            let echoed = try await invoker.invoke(function: name, deploymentId: "d-ABC", executionId: executionId)
            let sent = try JSONSerialization.jsonObject(with: echoed.invocation.payload) as? [String: String]
            #expect(sent == ["DeploymentId": "d-ABC", "LifecycleEventHookExecutionId": executionId])
            #expect(!echoed.passed)
            #expect(echoed.detail.contains("no \"status\""))

            try await MotoLambda.queueInvokeResponses([#"{"status": "Succeeded"}"#, #"{"Status": "Succeeded"}"#,
                                                       #"{"status": "Failed"}"#, #""Succeeded""#], endpoint: endpoint)
            let first = try await invoker.invoke(function: name, deploymentId: "d-ABC", executionId: executionId)
            #expect(first.passed && first.invocation.statusCode == 200 && first.invocation.functionError == nil)
            #expect(try await invoker.invoke(function: name, deploymentId: "d-ABC", executionId: executionId).passed)
            let failed = try await invoker.invoke(function: name, deploymentId: "d-ABC", executionId: executionId)
            #expect(!failed.passed && failed.detail == "it returned status \"Failed\"")
            let bare = try await invoker.invoke(function: name, deploymentId: "d-ABC", executionId: executionId)
            #expect(!bare.passed && bare.detail.contains("not a JSON object"))
        }
    }

    @Test("run stops at the first hook that does not pass and names it")
    func hookSequence() async throws {
        let client = try await client()
        let endpoint = try await SharedMoto.endpoint()
        let good = Self.unique("good"), bad = Self.unique("bad"), never = Self.unique("never")
        for name in [good, bad, never] {
            try await MotoLambda.createFunction(name, files: ["index.py": "x = 1\n"], client: client)
        }
        let invoker = LambdaHookInvoker(lambda: LambdaClient(client: client))
        try await MotoLambda.withInvokeLock {
            // Two answers for the first two hooks; the third must never be invoked.
            try await MotoLambda.queueInvokeResponses([#"{"status":"Succeeded"}"#, #"{"status":"Failed"}"#], endpoint: endpoint)
            do {
                try await invoker.run(event: "AfterAllowTraffic", functions: [good, bad, never], deploymentId: "d-1")
                Issue.record("a failing hook passed")
            } catch let failure as LambdaHookInvoker.Failure {
                #expect(failure.result.function == bad)
                #expect(failure.description == "AfterAllowTraffic hook \(bad) failed: it returned status \"Failed\"")
            }
        }
    }

    @Test("a function error fails the hook whatever the payload says")
    func functionError() async throws {
        let client = try await client()
        let endpoint = try await SharedMoto.endpoint()
        let name = Self.unique("crash")
        try await MotoLambda.createFunction(name, files: ["index.py": "x = 1\n"], client: client)
        let invoker = LambdaHookInvoker(lambda: LambdaClient(client: client))
        try await MotoLambda.withInvokeLock {
            // moto reports FunctionError=Unhandled for an answer above Lambda's 6 MB response
            // limit: the one real function error the emulator can produce.
            let huge = #"{"status": "Succeeded", "pad": ""# + String(repeating: "x", count: 6_100_000) + #""}"#
            try await MotoLambda.queueInvokeResponses([huge], endpoint: endpoint)
            let result = try await invoker.invoke(function: name, deploymentId: "d-2", executionId: "e-2")
            #expect(result.invocation.functionError == "Unhandled")
            #expect(!result.passed && result.detail.hasPrefix("the function failed (Unhandled)"))
        }
        let judged = LambdaHookInvoker.judge(LambdaInvocation(statusCode: 200, functionError: "Handled", executedVersion: nil,
                                                               payload: Data(#"{"status":"Succeeded"}"#.utf8)))
        #expect(!judged.passed)
    }

    @Test("execution ids are stable per deployment, event and function, and UUID-shaped")
    func executionIds() {
        let a = LambdaHookInvoker.executionId(deploymentId: "d-1", event: "BeforeAllowTraffic", function: "f")
        #expect(a == LambdaHookInvoker.executionId(deploymentId: "d-1", event: "BeforeAllowTraffic", function: "f"))
        #expect(a != LambdaHookInvoker.executionId(deploymentId: "d-2", event: "BeforeAllowTraffic", function: "f"))
        #expect(a != LambdaHookInvoker.executionId(deploymentId: "d-1", event: "AfterAllowTraffic", function: "f"))
        #expect(a.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
    }
}
