import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// The weights each strategy puts on the alias, watched through GetAlias while the real binary
/// deploys (moto does not route invocations, so the alias is the observable).
/// The alias serves version 1 (the function's code before the run); the revision becomes
/// version 2. A checkpoint gate holds each bake while the test reads the alias (BakeCheckpoints).
@Suite("Lambda traffic strategies, observed on the alias", .serialized)
struct LambdaStrategyTests {
    typealias State = LambdaFixture.AliasState

    func deployAndWatch(_ strategy: String, store: String = "file://store") async throws -> (LambdaFixture, LambdaFixture.Result, [State]) {
        let checkpoints = try BakeCheckpoints()
        defer { checkpoints.remove() }
        let fixture = try await LambdaFixture.make(stage: "    strategy: \(strategy)\n    gates:\n      - \(checkpoints.gateYAML)", store: store)
        // The alias exists on version 1 (the function's first code) before the run, so the
        // watch starts from a known state.
        _ = try await fixture.lambda.publishVersion(fixture.function, codeSha256: nil)
        _ = try await fixture.lambda.createAlias(fixture.function, name: LambdaFixture.alias, version: "1")
        let initial = try await fixture.aliasState()
        #expect(initial == State(version: "1", weights: [:]))
        let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
        let seen = try await fixture.observe(process, startingWith: initial, checkpoints: checkpoints)
        let result = try await fixture.wait(process, log: log)
        return (fixture, result, seen)
    }

    @Test("canary 10% then 100%: v1, v1 + 10% on v2, v2")
    func canary() async throws {
        let (fixture, result, seen) = try await deployAndWatch("{canary: {percent: 10, interval: 3s}}")
        defer { fixture.remove() }
        #expect(result.status == 0, "\(result.output)")
        #expect(seen == [State(version: "1", weights: [:]), State(version: "1", weights: ["2": 0.1]), State(version: "2", weights: [:])],
                "\(seen)")
        #expect(try await fixture.publishedVersions() == ["1", "2"])
    }

    @Test("linear 40%: v1, 40%, 80%, then v2")
    func linear() async throws {
        let (fixture, result, seen) = try await deployAndWatch("{linear: {percent: 40, interval: 3s}}")
        defer { fixture.remove() }
        #expect(result.status == 0, "\(result.output)")
        #expect(seen == [State(version: "1", weights: [:]), State(version: "1", weights: ["2": 0.4]),
                         State(version: "1", weights: ["2": 0.8]), State(version: "2", weights: [:])], "\(seen)")
    }

    @Test("all at once: v1 straight to v2")
    func allAtOnce() async throws {
        let (fixture, result, seen) = try await deployAndWatch("CodeDeployDefault.LambdaAllAtOnce")
        defer { fixture.remove() }
        #expect(result.status == 0, "\(result.output)")
        #expect(seen == [State(version: "1", weights: [:]), State(version: "2", weights: [:])], "\(seen)")
    }

    @Test("custom steps from an S3 store: 5%, 50%, then v2; the code comes by S3Bucket/S3Key")
    func stepsFromS3() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let bucket = uniqueBucketName("lambda-store")
        let client = try testAWSClient(endpoint: endpoint)
        try await S3Client(client: client).createBucket(bucket)
        let (fixture, result, seen) = try await deployAndWatch("{steps: [{percent: 5, bake: 3s}, {percent: 50, bake: 3s}]}",
                                                              store: "s3://\(bucket)/releases")
        defer { fixture.remove() }
        #expect(result.status == 0, "\(result.output)")
        #expect(seen == [State(version: "1", weights: [:]), State(version: "1", weights: ["2": 0.05]),
                         State(version: "1", weights: ["2": 0.5]), State(version: "2", weights: [:])], "\(seen)")
        #expect(result.output.contains("from s3://\(bucket)/releases/"), "\(result.output)")
    }

    @Test("a predefined Lambda config is planned as CodeDeploy defines it")
    func predefinedPlan() async throws {
        let fixture = try await LambdaFixture.make(stage: "    strategy: CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
        defer { fixture.remove() }
        let plan = try await fixture.run(["run", "pipelines/app.yml", "--dry-run"])
        #expect(plan.status == 0, "\(plan.output)")
        #expect(plan.output.contains("update the code of \(fixture.function)"), "\(plan.output)")
        #expect(plan.output.contains("create alias live"), "\(plan.output)")
        // A dry run changes nothing.
        #expect(try await fixture.aliasState() == nil)
        #expect(try await fixture.publishedVersions().isEmpty)
    }
}
