import Foundation
import SlipwayAWS
import SlipwayTestSupport
import Testing

/// An `ec2` stage whose hosts are reached through SSM, against moto at API level: moto accepts
/// every command and runs none (so the deploy "succeeds" with no output), which is enough to
/// check the wiring — the bundle staged once in the bucket, every lifecycle step sent as
/// AWS-RunShellScript to that instance, the fetch step carrying a presigned URL.
@Suite struct SSMDeployCLITests {
    @Test func sendsTheLifecycleToEachInstanceAndStagesTheBundleOnce() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let client = try testAWSClient(endpoint: endpoint)
        let ids = try await EC2Fixtures.runInstances(client, count: 2, tags: ["role": EC2Fixtures.unique("ssm")])
        let bucket = uniqueBucketName("ssm-cli")
        try await S3Client(client: client).createBucket(bucket)
        let application = EC2Fixtures.unique("ssmapp")
        let project = try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: ec2
                strategy: CodeDeployDefault.AllAtOnce
                with:
                  application: \(application)
                  endpoint: \(endpoint)
                  transport: ssm
                  ssm: {bucket: \(bucket), prefix: bundles/}
                  hosts: [\(ids.joined(separator: ", "))]
            """,
            "app/appspec.yml": """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: /srv/site
            hooks:
              AfterInstall:
                - location: after.sh
                  timeout: 45
            """,
            "app/site/index.html": "via ssm\n",
            "app/after.sh": "#!/bin/sh\necho after\n",
        ])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: slipwayAWSEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")

        let staged = try await S3Client(client: client).listAllObjects(bucket: bucket, prefix: "bundles/")
        #expect(staged.count == 1)
        let stagedKey = try #require(staged.first?.key)
        for id in ids {
            let sent = try await Self.commands(client, comment: "slipway \(application) \(id)")
            let scripts = sent.compactMap { ($0["Parameters"] as? [String: [String]])?["commands"]?.first }
            // read records, retention, fetch, unpack, install, the hook, scripts.log: each a command.
            #expect(scripts.count >= 6, "\(scripts.count) commands for \(id)")
            #expect(sent.allSatisfy { $0["DocumentName"] as? String == "AWS-RunShellScript" })
            #expect(sent.allSatisfy { ($0["InstanceIds"] as? [String])?.contains(id) == true })
            #expect(scripts.contains { $0.contains(stagedKey) && $0.contains("X-Amz-Signature=") && $0.contains("bundle.tar") })
            // The hook runs with its timeout as the command's execution timeout.
            let hook = sent.first { (($0["Parameters"] as? [String: [String]])?["commands"]?.first ?? "").contains("after.sh") }
            #expect((hook?["Parameters"] as? [String: [String]])?["executionTimeout"] == ["45"])
        }
    }

    /// Every command with this comment (ListCommands, all pages).
    static func commands(_ client: AWSClient, comment: String) async throws -> [[String: Any]] {
        var found: [[String: Any]] = []
        var token: String?
        repeat {
            var body: [String: Any] = ["MaxResults": 50]
            if let token { body["NextToken"] = token }
            let data = try JSONSerialization.data(withJSONObject: body)
            let response = try await client.send(.json(service: .ssm, targetPrefix: "AmazonSSM", operation: "ListCommands", body: data))
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
            found += (object["Commands"] as? [[String: Any]] ?? []).filter { $0["Comment"] as? String == comment }
            token = object["NextToken"] as? String
        } while token != nil
        return found
    }
}
