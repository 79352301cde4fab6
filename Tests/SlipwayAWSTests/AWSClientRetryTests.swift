import SlipwayTestSupport
import Foundation
import Synchronization
import Testing
@testable import SlipwayAWS

@Suite("HTTP layer: retries and error parsing against a fake server")
struct AWSClientRetryTests {
    @Test("an HTML 500 page is retried up to the attempt limit and reported with status and excerpt")
    func html500() async throws {
        let server = try TestHTTPServer { _ in .text(500, motoStyleHTML500, contentType: "text/html; charset=utf-8") }
        defer { server.stop() }
        let client = try fakeClient(server)
        await #expect {
            _ = try await client.send(.query(service: .autoScaling, action: "CompleteLifecycleAction", version: "2011-01-01"))
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.status == 500 && error.code == "HTTP500" && error.operation == "CompleteLifecycleAction"
                && error.message.contains("Internal Server Error") && !error.message.contains("<")
                && error.description.contains("HTTP 500")
        }
        #expect(server.requests.count == 3)
    }

    @Test("the attempt limit is configurable")
    func configurableAttempts() async throws {
        let server = try TestHTTPServer { _ in .text(503, "<Error><Code>SlowDown</Code><Message>Reduce your request rate</Message></Error>", contentType: "application/xml") }
        defer { server.stop() }
        let client = try fakeClient(server, maxAttempts: 5)
        await #expect(throws: AWSError.self) { _ = try await S3Client(client: client).getObject(bucket: "b", key: "k") }
        #expect(server.requests.count == 5)
    }

    @Test("throttling is retried, then the call succeeds")
    func throttlingThenSuccess() async throws {
        let calls = Mutex(0)
        let server = try TestHTTPServer { _ in
            let call = calls.withLock { value in value += 1; return value }
            if call < 3 {
                return .text(400, #"{"__type":"com.amazonaws.ecs#ThrottlingException","message":"Rate exceeded"}"#, contentType: "application/x-amz-json-1.1")
            }
            return .text(200, #"{"clusters":[]}"#, contentType: "application/x-amz-json-1.1")
        }
        defer { server.stop() }
        let client = try fakeClient(server)
        let response = try await client.send(.json(service: .ecs, targetPrefix: "AmazonEC2ContainerServiceV20141113",
                                                   operation: "DescribeClusters", body: Data("{}".utf8)))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"clusters":[]}"#)
        #expect(server.requests.count == 3)
        let last = server.requests[2]
        #expect(last.headers["x-amz-target"] == "AmazonEC2ContainerServiceV20141113.DescribeClusters")
        #expect(last.headers["content-type"] == "application/x-amz-json-1.1")
        #expect(last.body == Data("{}".utf8))
        #expect(last.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true)
    }

    @Test("client errors are not retried and carry code, message and request id")
    func clientErrorNotRetried() async throws {
        let server = try TestHTTPServer { _ in
            .text(400, """
            <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <Error><Type>Sender</Type><Code>ValidationError</Code><Message>Target group &apos;tg&apos; not found</Message></Error>
              <RequestId>req-123</RequestId>
            </ErrorResponse>
            """, contentType: "text/xml")
        }
        defer { server.stop() }
        let client = try fakeClient(server)
        await #expect {
            _ = try await client.send(.query(service: .elasticLoadBalancingV2, action: "DescribeTargetHealth", version: "2015-12-01"))
        } throws: { error in
            (error as? AWSError) == AWSError(service: "Elastic Load Balancing v2", operation: "DescribeTargetHealth", status: 400,
                                             code: "ValidationError", message: "Target group 'tg' not found", requestId: "req-123")
        }
        #expect(server.requests.count == 1)
    }

    @Test("a form POST always carries its explicit content type and body")
    func explicitContentType() async throws {
        let server = try TestHTTPServer { _ in .text(200, "<CreateUserResponse/>", contentType: "text/xml") }
        defer { server.stop() }
        let client = try fakeClient(server)
        _ = try await client.send(.query(service: .iam, action: "CreateUser", version: "2010-05-08", parameters: [AWSQueryItem("UserName", "a b")]))
        let request = try #require(server.requests.first)
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(String(decoding: request.body, as: UTF8.self) == "Action=CreateUser&Version=2010-05-08&UserName=a%20b")
        #expect(request.headers["authorization"]?.contains("/us-east-1/iam/aws4_request") == true)
    }

    @Test("connection failures are retried, then reported with the attempt count")
    func connectionRefused() async throws {
        let port = TestHTTPServer.unusedPort()
        let environment = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_REGION": "us-east-1"], homeDirectory: "/nonexistent")
        let sleeps = Mutex(0)
        let client = AWSClient(configuration: try AWSConfiguration(environment: environment),
                               credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyId: "a", secretAccessKey: "b")),
                               retryPolicy: AWSRetryPolicy(maxAttempts: 3, sleep: { _ in sleeps.withLock { $0 += 1 } }))
        await #expect {
            _ = try await client.send(AWSRequest(service: .lambda, operation: "GetAlias", method: "GET", path: "/2015-03-31/functions/f/aliases/live"))
        } throws: { error in
            (error as? AWSConnectionError)?.attempts == 3
        }
        #expect(sleeps.withLock { $0 } == 2)
    }

    @Test("backoff is full jitter under an exponential ceiling capped at maxDelay")
    func backoff() {
        let high = AWSRetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1), random: { 0.999 })
        #expect(high.delay(afterAttempt: 1) <= .milliseconds(100))
        #expect(high.delay(afterAttempt: 1) > .milliseconds(99))
        #expect(high.delay(afterAttempt: 3) > .milliseconds(399))
        #expect(high.delay(afterAttempt: 3) <= .milliseconds(400))
        #expect(high.delay(afterAttempt: 20) <= .seconds(1))
        let low = AWSRetryPolicy(random: { 0 })
        #expect(low.delay(afterAttempt: 4) == .zero)
    }

    @Test("a failed part aborts the multipart upload")
    func multipartAbortsOnFailedPart() async throws {
        let server = try TestHTTPServer { request in
            if request.method == "POST", request.target.contains("uploads") {
                return .text(200, "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>", contentType: "application/xml")
            }
            if request.method == "PUT", request.target.contains("partNumber=2") {
                return .text(400, "<Error><Code>InvalidArgument</Code><Message>bad part</Message></Error>", contentType: "application/xml")
            }
            if request.method == "PUT" { return Response(status: 200, headers: ["ETag": "\"etag\""]) }
            return Response(status: 204)
        }
        defer { server.stop() }
        let s3 = S3Client(client: try fakeClient(server), transferOptions: S3TransferOptions(multipartThreshold: 1, partSize: 5 << 20, maxConcurrentParts: 1))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-abort-\(UUID().uuidString)")
        try Data(count: (10 << 20) + 1).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        await #expect {
            try await s3.uploadFile(bucket: "b", key: "k", file: file)
        } throws: { error in
            (error as? AWSError)?.code == "InvalidArgument"
        }
        let aborts = server.requests.filter { $0.method == "DELETE" }
        #expect(aborts.map(\.target) == ["/b/k?uploadId=up-1"])
        #expect(!server.requests.contains { $0.target.contains("partNumber=3") })
    }
}

private typealias Response = TestHTTPServer.Response
