import SlipwayTestSupport
import Crypto
import Foundation
import Synchronization
import Testing
@testable import SlipwayAWS

/// The libcurl transport under `AWSClient`: file bodies streamed and re-sent on retry,
/// downloads, cancellation. Fake endpoints on 127.0.0.1; moto runs in `S3MotoTests`.
@Suite("HTTP transport (libcurl)")
struct CurlTransportTests {
    @Test("a multipart part answered with HTTP 500 is sent again in full, and the upload completes")
    func multipartPartRetriedAfter500() async throws {
        let failedOnce = Mutex(false)
        let server = try TestHTTPServer { request in
            if request.method == "POST", request.target.contains("uploads") {
                return .text(200, "<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>", contentType: "application/xml")
            }
            if request.method == "PUT", request.target.contains("partNumber=2") {
                let fail = failedOnce.withLock { failed in defer { failed = true }; return !failed }
                if fail { return .text(500, motoStyleHTML500, contentType: "text/html") }
            }
            if request.method == "PUT" {
                let md5 = Data(Insecure.MD5.hash(data: request.body)).base64EncodedString()
                return TestHTTPServer.Response(status: 200, headers: ["ETag": "\"\(md5)\""])
            }
            return .text(200, "<CompleteMultipartUploadResult><ETag>\"final-2\"</ETag></CompleteMultipartUploadResult>", contentType: "application/xml")
        }
        defer { server.stop() }
        let partSize = 5 << 20
        let content = Data((0..<(partSize + 300_000)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
        let file = try temporaryFile(content)
        defer { try? FileManager.default.removeItem(at: file) }
        let s3 = S3Client(client: try fakeClient(server),
                          transferOptions: S3TransferOptions(multipartThreshold: 1, partSize: partSize, maxConcurrentParts: 2))
        let result = try await s3.uploadFile(bucket: "b", key: "k", file: file)
        #expect(result.partCount == 2)

        let parts = server.requests.filter { $0.method == "PUT" }
        #expect(parts.count == 3, "part 1 once, part 2 twice")
        let secondPartAttempts = parts.filter { $0.target.contains("partNumber=2") }
        #expect(secondPartAttempts.count == 2)
        for attempt in secondPartAttempts {
            #expect(attempt.body == content.subdata(in: partSize..<content.count))
            #expect(attempt.headers["x-amz-checksum-crc32"] == CRC32.base64(attempt.body))
            #expect(attempt.headers["content-length"] == String(content.count - partSize))
            #expect(attempt.headers["transfer-encoding"] == nil)
            #expect(attempt.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        }
        let first = try #require(parts.first { $0.target.contains("partNumber=1") })
        #expect(first.body == content.subdata(in: 0..<partSize))
        // The completion lists both parts with the ETags the server returned.
        let complete = try #require(server.requests.first { $0.method == "POST" && $0.target.contains("uploadId=up-1") })
        let xml = String(decoding: complete.body, as: UTF8.self)
        #expect(xml.contains("<PartNumber>1</PartNumber>") && xml.contains("<PartNumber>2</PartNumber>"))
        #expect(xml.contains(Data(Insecure.MD5.hash(data: content.subdata(in: partSize..<content.count))).base64EncodedString()))
    }

    @Test("a signed file body is hashed from the file, and every method arrives with the right length")
    func signedFileBodyAndMethods() async throws {
        let server = try TestHTTPServer { _ in .text(200, "<ok/>", contentType: "application/xml") }
        defer { server.stop() }
        let client = try fakeClient(server)
        let content = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 17) })
        let file = try temporaryFile(content)
        defer { try? FileManager.default.removeItem(at: file) }
        let descriptor = open(file.path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let range = AWSFileRange(descriptor: descriptor, offset: 100, length: 150_000)
        _ = try await client.send(AWSRequest(service: .s3, operation: "PutObject", method: "PUT", path: "/b/k",
                                             body: .file(range, contentType: "application/octet-stream")))
        _ = try await client.send(AWSRequest(service: .s3, operation: "CreateMultipartUpload", method: "POST", path: "/b/k",
                                             query: [AWSQueryItem("uploads", "")]))
        _ = try await client.send(AWSRequest(service: .s3, operation: "DeleteObject", method: "DELETE", path: "/b/k"))
        let requests = server.requests
        try #require(requests.count == 3)
        #expect(requests[0].body == content.subdata(in: 100..<150_100))
        #expect(requests[0].headers["x-amz-content-sha256"] == Digests.sha256Hex(content.subdata(in: 100..<150_100)))
        #expect(requests[0].headers["content-type"] == "application/octet-stream")
        #expect(requests.map(\.method) == ["PUT", "POST", "DELETE"])
        #expect(requests[1].headers["content-length"] == "0", "S3 wants a length on a body-less POST")
        #expect(requests[1].headers["content-type"] == nil, "no invented form content type")
        #expect(requests.allSatisfy { $0.headers["expect"] == nil })
    }

    @Test("a download replaces the destination only on success; an error leaves it untouched")
    func downloadIsAtomic() async throws {
        let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 29) })
        let server = try TestHTTPServer { request in
            request.path.hasSuffix("/good") ? TestHTTPServer.Response(status: 200, body: payload)
                : .text(404, "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>", contentType: "application/xml")
        }
        defer { server.stop() }
        let s3 = S3Client(client: try fakeClient(server))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curl-dl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("object")
        try Data("old".utf8).write(to: destination)
        await #expect {
            try await s3.getObject(bucket: "b", key: "missing", to: destination)
        } throws: { error in
            (error as? AWSError)?.code == "NoSuchKey"
        }
        #expect(try Data(contentsOf: destination) == Data("old".utf8))
        try await s3.getObject(bucket: "b", key: "good", to: destination)
        #expect(try Data(contentsOf: destination) == payload)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["object"], "no temporary file left")
    }

    @Test("cancelling the task stops a request the server never answers")
    func cancellationStopsAHangingRequest() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = try TestHTTPServer { _ in
            // Hold the connection open without answering (bounded, so the server thread ends).
            _ = release.wait(timeout: .now() + 120)
            return .text(200, "late")
        }
        defer { server.stop() }
        defer { release.signal() }
        let client = try fakeClient(server)
        let task = Task {
            try await client.send(AWSRequest(service: .s3, operation: "GetObject", method: "GET", path: "/b/slow"))
        }
        // Cancel only once the request is in flight (generous bound for a busy machine).
        for _ in 0..<600 where server.requests.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        try #require(server.requests.count == 1)
        task.cancel()
        let outcome = await task.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(server.requests.count == 1, "a cancelled request is not retried")
    }

    @Test("a multipart upload cancelled while a part hangs is aborted on the server")
    func cancelledMultipartIsAborted() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = try TestHTTPServer { request in
            if request.method == "POST" {
                return .text(200, "<InitiateMultipartUploadResult><UploadId>up-9</UploadId></InitiateMultipartUploadResult>", contentType: "application/xml")
            }
            if request.method == "PUT" {
                _ = release.wait(timeout: .now() + 120)
                return TestHTTPServer.Response(status: 200, headers: ["ETag": "\"e\""])
            }
            return TestHTTPServer.Response(status: 204)
        }
        defer { server.stop() }
        defer { release.signal() }
        let file = try temporaryFile(Data(count: (10 << 20) + 1))
        defer { try? FileManager.default.removeItem(at: file) }
        let s3 = S3Client(client: try fakeClient(server),
                          transferOptions: S3TransferOptions(multipartThreshold: 1, partSize: 5 << 20, maxConcurrentParts: 1))
        let task = Task { try await s3.uploadFile(bucket: "b", key: "k", file: file) }
        for _ in 0..<600 where !server.requests.contains(where: { $0.method == "PUT" }) { try await Task.sleep(for: .milliseconds(100)) }
        try #require(server.requests.contains { $0.method == "PUT" })
        task.cancel()
        // The server is single-threaded: let the hanging part finish so it can take the abort.
        release.signal()
        let outcome = await task.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(server.requests.filter { $0.method == "DELETE" }.map(\.target) == ["/b/k?uploadId=up-9"])
        #expect(!server.requests.contains { $0.method == "POST" && $0.target.contains("uploadId=") }, "never completed")
    }

    private func temporaryFile(_ content: Data) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("curl-transport-\(UUID().uuidString)")
        try content.write(to: file)
        return file
    }
}
