import Foundation
import SlipwayAWS
import SlipwayHost
import SlipwayProcess
import SlipwaySSM
import SlipwayTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The ssm transport against moto at API level. moto's SendCommand answers Success at once and
/// runs nothing, so these tests read the command back (ListCommands) and run what was sent
/// with /bin/sh here, as the agent would: the command text itself is what is tested.
@Suite struct SSMTransportMotoTests {
    @Test func sendsOneShellScriptToThatInstanceWithItsEnvironmentAndTimeout() async throws {
        let client = try testClient(endpoint: try await SharedMoto.endpoint())
        let ids = try await EC2Fixtures.runInstances(client, count: 1, tags: ["role": EC2Fixtures.unique("ssm")])
        let record = RunRecord()
        let transport = SSMTransport(instanceId: ids[0], ssm: SSMClient(client: client), staging: nil,
                                     options: SSMTransportOptions(comment: "slipway test", commandSent: { record.sent($0) }))
        let script = "echo \"$GREETING from $(basename \"$0\")\"; echo 'it''s' >&2; exit 7"
        let result = try await transport.run(script, environment: ["GREETING": "it's a \"quoted\" $value"], timeout: .seconds(42)) {
            record.line($0, $1)
        }
        #expect(result.succeeded)  // moto: Success, response code 0, no output
        #expect(record.commandIds.count == 1)

        let sent = try #require(try await SSMClient(client: client).command(id: record.commandIds[0]))
        #expect(sent.documentName == "AWS-RunShellScript")
        #expect(sent.instanceIds.contains(ids[0]))
        #expect(sent.parameters["executionTimeout"] == ["42"])
        #expect(sent.comment == "slipway test")
        let commands = try #require(sent.parameters["commands"])
        #expect(commands.count == 1)
        // What the agent would run: the environment reaches the script unmangled, and the
        // script's exit status is the command's.
        let local = try await runLocally(commands[0])
        #expect(local.status == .exited(7))
        #expect(local.stdout == ["it's a \"quoted\" $value from slipway-ssm"])
    }

    @Test func uploadStagesTheFileAndTheHostFetchesItThroughAPresignedURL() async throws {
        let client = try testClient(endpoint: try await SharedMoto.endpoint())
        let bucket = uniqueBucketName("ssm")
        let s3 = S3Client(client: client)
        try await s3.createBucket(bucket)
        let folder = try makeTemporaryFolder(prefix: "slipway-ssm-upload")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try bytes.write(to: URL(fileURLWithPath: folder + "/bundle.tar"))

        let record = RunRecord()
        let transport = SSMTransport(instanceId: "i-0123456789abcdef0", ssm: SSMClient(client: client),
                                     staging: SSMStaging(s3: s3, bucket: bucket, prefix: "stage/"),
                                     options: SSMTransportOptions(commandSent: { record.sent($0) }))
        let destination = folder + "/host/opt/deploy/bundle.tar"
        try await transport.upload(folder + "/bundle.tar", to: destination)

        // Staged once, named by content.
        let objects = try await s3.listAllObjects(bucket: bucket, prefix: "stage/")
        #expect(objects.count == 1 && objects[0].size == Int64(bytes.count))
        let commandId = try #require(record.commandIds.first)
        let sent = try #require(try await SSMClient(client: client).command(id: commandId))
        let program = try #require(sent.parameters["commands"]?.first)
        // The presigned URL inside the command fetches exactly the file, with no credentials.
        let url = try #require(Self.presignedURL(in: program))
        #expect(url.query?.contains("X-Amz-Signature=") == true)
        let (fetched, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(fetched == bytes)
        // And the host side of it: the fetch script (curl here) writes the file where asked.
        let local = try await runLocally(program)
        #expect(local.status == .exited(0))
        #expect(FileManager.default.contents(atPath: destination) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/host/opt/deploy") == ["bundle.tar"])
    }

    @Test func uploadWithoutAStagingBucketIsRefused() async throws {
        let client = try testClient(endpoint: try await SharedMoto.endpoint())
        let transport = SSMTransport(instanceId: "i-0123456789abcdef0", ssm: SSMClient(client: client), staging: nil)
        await #expect(throws: TransportError.self) { try await transport.upload("/etc/hostname", to: "/tmp/slipway-never") }
    }

    /// The URL in the fetch script (quoted once more inside the run wrapper: it ends at a `'`).
    static func presignedURL(in program: String) -> URL? {
        guard let start = program.range(of: "http://127.0.0.1") else { return nil }
        let rest = program[start.lowerBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return URL(string: String(rest[..<end]))
    }
}
