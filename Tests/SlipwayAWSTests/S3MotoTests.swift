import SlipwayTestSupport
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import SlipwayAWS

/// S3 against a real moto_server on 127.0.0.1.
@Suite("S3 against moto")
struct S3MotoTests {
    @Test("put then get returns the same bytes, metadata and ETag; head of a missing key is nil")
    func putGetHeadDelete() async throws {
        try await MotoServer.with { moto in
            let s3 = S3Client(client: try moto.client())
            let bucket = uniqueBucketName("rt")
            try await s3.createBucket(bucket)
            let body = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            for (index, checksum) in [S3Checksum.md5, .sha256, .crc32].enumerated() {
                let key = "dir/revision \(index)+é.bin"
                let put = try await s3.putObject(bucket: bucket, key: key, body: body, checksum: checksum, metadata: ["sha": "abc"])
                #expect(put.etag == "\"\(Digests.hex(Insecure.MD5.hash(data: body)))\"")
                let (data, info) = try await s3.getObject(bucket: bucket, key: key)
                #expect(data == body)
                #expect(info.etag == put.etag)
                #expect(info.metadata["sha"] == "abc")
                let head = try await s3.headObject(bucket: bucket, key: key)
                #expect(head?.contentLength == Int64(body.count))
            }
            #expect(try await s3.headObject(bucket: bucket, key: "missing") == nil)
            try await s3.deleteObject(bucket: bucket, key: "dir/revision 0+é.bin")
            #expect(try await s3.headObject(bucket: bucket, key: "dir/revision 0+é.bin") == nil)
            await #expect {
                _ = try await s3.getObject(bucket: bucket, key: "missing")
            } throws: { error in
                (error as? AWSError)?.code == "NoSuchKey" && (error as? AWSError)?.status == 404
            }
        }
    }

    @Test("If-None-Match create and If-Match compare-and-swap surface 412 as preconditionFailed")
    func conditionalWrites() async throws {
        try await MotoServer.with { moto in
            let s3 = S3Client(client: try moto.client())
            let bucket = uniqueBucketName("cas")
            try await s3.createBucket(bucket)
            let first = try await s3.putObject(bucket: bucket, key: "lock", body: Data("holder-a".utf8), condition: .ifNoneMatch)
            await #expect {
                try await s3.putObject(bucket: bucket, key: "lock", body: Data("holder-b".utf8), condition: .ifNoneMatch)
            } throws: { error in
                if case S3Error.preconditionFailed(_, "lock", let underlying) = error { return underlying.status == 412 }
                return false
            }
            let second = try await s3.putObject(bucket: bucket, key: "lock", body: Data("holder-a v2".utf8), condition: .ifMatch(first.etag))
            #expect(second.etag != first.etag)
            await #expect {
                try await s3.putObject(bucket: bucket, key: "lock", body: Data("stale".utf8), condition: .ifMatch(first.etag))
            } throws: { error in
                if case S3Error.preconditionFailed = error { return true }
                return false
            }
            #expect(try await s3.getObject(bucket: bucket, key: "lock").data == Data("holder-a v2".utf8))
        }
    }

    @Test("list pages with continuation tokens and common prefixes")
    func listPaging() async throws {
        try await MotoServer.with { moto in
            let s3 = S3Client(client: try moto.client())
            let bucket = uniqueBucketName("list")
            try await s3.createBucket(bucket)
            for index in 0..<7 {
                try await s3.putObject(bucket: bucket, key: "runs/\(index).json", body: Data("{}".utf8), contentType: "application/json")
            }
            try await s3.putObject(bucket: bucket, key: "locks/web", body: Data("x".utf8))
            let first = try await s3.listObjectsV2(bucket: bucket, prefix: "runs/", maxKeys: 3)
            #expect(first.objects.map(\.key) == ["runs/0.json", "runs/1.json", "runs/2.json"])
            #expect(first.nextContinuationToken != nil)
            let all = try await s3.listAllObjects(bucket: bucket, prefix: "runs/", pageSize: 3)
            #expect(all.map(\.key) == (0..<7).map { "runs/\($0).json" })
            #expect(all.allSatisfy { $0.size == 2 })
            let top = try await s3.listObjectsV2(bucket: bucket, delimiter: "/")
            #expect(top.commonPrefixes == ["locks/", "runs/"])
            #expect(top.nextContinuationToken == nil)
        }
    }

    @Test("multipart upload of a file with >5 MiB parts: identical content, ETag with -N suffix; download to a file")
    func multipartUpload() async throws {
        try await MotoServer.with { moto in
            let s3 = S3Client(client: try moto.client(),
                              transferOptions: S3TransferOptions(multipartThreshold: 6 << 20, partSize: 5 << 20, maxConcurrentParts: 2))
            let bucket = uniqueBucketName("mpu")
            try await s3.createBucket(bucket)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-aws-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var generator = SystemRandomNumberGenerator()
            let content = Data((0..<(12 << 20) + 12345).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let source = folder.appendingPathComponent("bundle.tar.gz")
            try content.write(to: source)
            let result = try await s3.uploadFile(bucket: bucket, key: "revisions/bundle.tar.gz", file: source, contentType: "application/gzip")
            #expect(result.partCount == 3)
            #expect(result.etag.hasSuffix("-3\""))
            let target = folder.appendingPathComponent("downloaded")
            let info = try await s3.getObject(bucket: bucket, key: "revisions/bundle.tar.gz", to: target)
            #expect(info.etag == result.etag)
            let downloaded = try Data(contentsOf: target)
            #expect(downloaded.count == content.count)
            #expect(Digests.sha256Hex(downloaded) == Digests.sha256Hex(content))
            // A small file goes through a single PUT.
            let small = folder.appendingPathComponent("small")
            try Data("tiny".utf8).write(to: small)
            let single = try await s3.uploadFile(bucket: bucket, key: "small", file: small)
            #expect(single.partCount == nil)
            #expect(!single.etag.contains("-"))
        }
    }

    @Test("an aborted multipart upload is no longer listed")
    func abortedUploadIsGone() async throws {
        try await MotoServer.with { moto in
            let client = try moto.client()
            let s3 = S3Client(client: client)
            let bucket = uniqueBucketName("abort")
            try await s3.createBucket(bucket)
            let uploadId = try await s3.createMultipartUpload(bucket: bucket, key: "k")
            _ = try await s3.uploadPart(bucket: bucket, key: "k", uploadId: uploadId, partNumber: 1, body: Data(count: 1024))
            let listUploads = AWSRequest(service: .s3, operation: "ListMultipartUploads", method: "GET",
                                         path: "/\(bucket)", query: [AWSQueryItem("uploads", "")])
            #expect(try await client.send(listUploads).xml().children("Upload").count == 1)
            try await s3.abortMultipartUpload(bucket: bucket, key: "k", uploadId: uploadId)
            #expect(try await client.send(listUploads).xml().children("Upload").isEmpty)
        }
    }

    @Test("presigned GET and PUT URLs work with a plain URLSession")
    func presignedURLs() async throws {
        try await MotoServer.with { moto in
            let s3 = S3Client(client: try moto.client())
            let bucket = uniqueBucketName("presign")
            try await s3.createBucket(bucket)
            let putURL = try await s3.presignedURL(method: "PUT", bucket: bucket, key: "shared/file.txt", expires: 600)
            #expect(putURL.absoluteString.contains("X-Amz-Signature="))
            var put = URLRequest(url: putURL)
            put.httpMethod = "PUT"
            put.setValue("text/plain", forHTTPHeaderField: "Content-Type")
            put.httpBody = Data("presigned body".utf8)
            let (_, putResponse) = try await URLSession.shared.data(for: put)
            #expect((putResponse as? HTTPURLResponse)?.statusCode == 200)
            let getURL = try await s3.presignedURL(bucket: bucket, key: "shared/file.txt")
            let (data, response) = try await URLSession.shared.data(from: getURL)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(data == Data("presigned body".utf8))
        }
    }
}
