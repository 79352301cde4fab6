import SlipwayTestSupport
import Crypto
import Foundation
import Testing
@testable import SlipwayAWS

/// What S3 requests put on the wire. moto accepts wrong checksums (it does not verify
/// Content-MD5 or x-amz-checksum-*), so their values are checked here on a fake server.
@Suite("S3 request shapes")
struct S3RequestShapeTests {
    @Test("checksum headers carry the digest of the body", arguments: [S3Checksum.md5, .sha256, .crc32])
    func checksumHeaders(checksum: S3Checksum) async throws {
        let server = try TestHTTPServer { _ in TestHTTPServer.Response(status: 200, headers: ["ETag": "\"e\""]) }
        defer { server.stop() }
        let body = Data("123456789".utf8)
        try await S3Client(client: try fakeClient(server)).putObject(bucket: "b", key: "k", body: body, checksum: checksum, condition: .ifNoneMatch)
        let request = try #require(server.requests.first)
        switch checksum {
        case .md5: #expect(request.headers["content-md5"] == Data(Insecure.MD5.hash(data: body)).base64EncodedString())
        case .sha256: #expect(request.headers["x-amz-checksum-sha256"] == Data(SHA256.hash(data: body)).base64EncodedString())
        case .crc32: #expect(request.headers["x-amz-checksum-crc32"] == Data([0xCB, 0xF4, 0x39, 0x26]).base64EncodedString())
        case .none: break
        }
        #expect(request.headers["x-amz-content-sha256"] == Digests.sha256Hex(body))
        #expect(request.headers["if-none-match"] == "*")
        #expect(request.headers["content-type"] == "application/octet-stream")
        #expect(request.body == body)
        #expect(request.target == "/b/k")
    }

    /// File uploads hash each byte once: integrity rests on the signed Content-MD5 header the
    /// server verifies, and the body is sent as UNSIGNED-PAYLOAD instead of being SHA-256'd too.
    @Test("a file upload sends Content-MD5 of the file and an unsigned payload")
    func fileUploadUsesContentMD5AndUnsignedPayload() async throws {
        let server = try TestHTTPServer { _ in TestHTTPServer.Response(status: 200, headers: ["ETag": "\"e\""]) }
        defer { server.stop() }
        let body = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-shape-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await S3Client(client: try fakeClient(server)).uploadFile(bucket: "b", key: "k", file: file, condition: .ifNoneMatch,
                                                                       metadata: ["revision": "r1"])
        let request = try #require(server.requests.first)
        #expect(request.method == "PUT")
        #expect(request.body == body)
        #expect(request.headers["content-md5"] == Data(Insecure.MD5.hash(data: body)).base64EncodedString())
        #expect(request.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        #expect(request.headers["authorization"]?.contains("content-md5") == true, "Content-MD5 is a signed header")
        #expect(request.headers["if-none-match"] == "*")
        #expect(request.headers["x-amz-meta-revision"] == "r1")
    }

    /// A file whose SHA-256 the caller knows (a revision archive) goes up with that digest as
    /// the signed payload hash, which S3 checks against the body: no Content-MD5, no hashing
    /// pass. Over the threshold, multipart ignores it (parts carry their own CRC32).
    @Test("a file upload with a known SHA-256 signs it as the payload hash instead of sending Content-MD5")
    func fileUploadWithKnownDigestSignsIt() async throws {
        let server = try TestHTTPServer { _ in TestHTTPServer.Response(status: 200, headers: ["ETag": "\"e\""]) }
        defer { server.stop() }
        let body = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-shape-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let digest = Digests.sha256Hex(body)
        try await S3Client(client: try fakeClient(server)).uploadFile(bucket: "b", key: "k", file: file, sha256Hex: digest)
        let request = try #require(server.requests.first)
        #expect(request.method == "PUT")
        #expect(request.body == body)
        #expect(request.headers["x-amz-content-sha256"] == digest)
        #expect(request.headers["content-md5"] == nil)
        #expect(request.headers["authorization"]?.contains("x-amz-content-sha256") == true, "the digest is a signed header")
    }

    /// A multipart upload declares CRC32, each part carries the CRC32 of exactly its bytes (zlib's,
    /// checked against the standard check value and a plain bitwise CRC here), and the completion
    /// repeats every part's ETag and CRC32 in order.
    @Test("a multipart upload sends CRC32 checksums per part and repeats them at completion")
    func multipartUploadSendsPartChecksums() async throws {
        let server = try TestHTTPServer { request in
            if request.method == "POST", request.target.hasSuffix("?uploads") || request.target.contains("?uploads=") {
                return TestHTTPServer.Response(status: 200, body: Data("<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>".utf8))
            }
            if request.method == "PUT", let number = request.target.split(separator: "partNumber=").last?.prefix(while: \.isNumber) {
                return TestHTTPServer.Response(status: 200, headers: ["ETag": "\"etag-\(number)\""])
            }
            return TestHTTPServer.Response(status: 200, body: Data("<CompleteMultipartUploadResult><ETag>\"whole-3\"</ETag></CompleteMultipartUploadResult>".utf8))
        }
        defer { server.stop() }
        var body = Data(count: 11 << 20)
        body.withUnsafeMutableBytes { bytes in
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 9) }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-multipart-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let s3 = S3Client(client: try fakeClient(server),
                          transferOptions: S3TransferOptions(multipartThreshold: 6 << 20, partSize: 5 << 20, maxConcurrentParts: 2))
        let result = try await s3.uploadFile(bucket: "b", key: "k", file: file)
        #expect(result.partCount == 3)
        #expect(result.etag == "\"whole-3\"")

        let requests = server.requests
        let create = try #require(requests.first { $0.method == "POST" && $0.target.contains("uploads") && !$0.target.contains("uploadId") })
        #expect(create.headers["x-amz-checksum-algorithm"] == "CRC32")
        #expect(create.headers["authorization"]?.contains("x-amz-checksum-algorithm") == true)
        let parts = requests.filter { $0.method == "PUT" }
        #expect(parts.count == 3)
        var expectedElements: [String] = []
        for number in 1...3 {
            let part = try #require(parts.first { $0.target.contains("partNumber=\(number)&") || $0.target.hasSuffix("partNumber=\(number)") })
            let range = (number - 1) * (5 << 20)..<min(number * (5 << 20), body.count)
            #expect(part.body == body.subdata(in: range))
            let crc = Self.bitwiseCRC32(body.subdata(in: range))
            #expect(part.headers["x-amz-checksum-crc32"] == crc)
            #expect(part.headers["content-md5"] == nil)
            #expect(part.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
            #expect(part.headers["authorization"]?.contains("x-amz-checksum-crc32") == true)
            expectedElements.append("<Part><ETag>&quot;etag-\(number)&quot;</ETag><ChecksumCRC32>\(crc)</ChecksumCRC32><PartNumber>\(number)</PartNumber></Part>")
        }
        let complete = try #require(requests.last)
        #expect(complete.target.contains("uploadId=U1"))
        #expect(String(decoding: complete.body, as: UTF8.self).contains(expectedElements.joined()))
    }

    @Test("CRC32 matches the standard check value")
    func crc32CheckValue() {
        #expect(CRC32.base64(Data("123456789".utf8)) == Data([0xCB, 0xF4, 0x39, 0x26]).base64EncodedString())
        #expect(CRC32.base64(Data()) == Data([0, 0, 0, 0]).base64EncodedString())
    }

    /// The textbook table-driven CRC-32, independent of zlib.
    static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func bitwiseCRC32(_ data: Data) -> String {
        var crc: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { bytes in
            crcTable.withUnsafeBufferPointer { table in
                for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            }
        }
        crc ^= 0xFFFF_FFFF
        return Data([UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]).base64EncodedString()
    }

    @Test("a file range reads exactly its bytes, in chunks, and fails if the file is shorter")
    func fileRangeReadsTheRange() throws {
        let body = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-range-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let descriptor = open(file.path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        func read(_ offset: Int, _ length: Int) throws -> (Data, Int) {
            var data = Data()
            var chunks = 0
            try AWSFileRange(descriptor: descriptor, offset: offset, length: length).forEachChunk(chunkSize: 16_384) {
                data.append(contentsOf: $0)
                chunks += 1
            }
            return (data, chunks)
        }
        let (middle, chunks) = try read(1_000, 50_000)
        #expect(middle == body.subdata(in: 1_000..<51_000))
        #expect(chunks == 4)
        #expect(try read(0, 0).0.isEmpty)
        #expect(throws: POSIXError.self) { try read(60_000, 20_000) }
    }

    @Test("keys are percent-encoded once, slashes kept, in path style for custom endpoints")
    func keyEncoding() async throws {
        let server = try TestHTTPServer { _ in TestHTTPServer.Response(status: 404) }
        defer { server.stop() }
        let info = try await S3Client(client: try fakeClient(server)).headObject(bucket: "b", key: "a dir/ü+=&?.txt")
        #expect(info == nil)
        #expect(server.requests.first?.target == "/b/a%20dir/%C3%BC%2B%3D%26%3F.txt")
        #expect(server.requests.first?.method == "HEAD")
    }

    @Test("the standard endpoint uses virtual-hosted style")
    func virtualHostedStyle() throws {
        let environment = AWSEnvironment(variables: ["AWS_REGION": "eu-west-1"], homeDirectory: "/nonexistent")
        let client = AWSClient(configuration: try AWSConfiguration(environment: environment),
                               credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyId: "a", secretAccessKey: "b")))
        let s3 = S3Client(client: client)
        let request = s3.request("GetObject", "GET", bucket: "artifacts", key: "x/y")
        let target = try AWSClient.target(for: request, endpoint: try client.configuration.endpoint(for: .s3))
        #expect(target.url.absoluteString == "https://artifacts.s3.eu-west-1.amazonaws.com/x/y")
        #expect(target.hostHeader == "artifacts.s3.eu-west-1.amazonaws.com")
        let dotted = s3.request("GetObject", "GET", bucket: "my.bucket", key: "k")
        #expect(try AWSClient.target(for: dotted, endpoint: try client.configuration.endpoint(for: .s3)).url.absoluteString
                == "https://s3.eu-west-1.amazonaws.com/my.bucket/k")
    }

    @Test("part sizes grow to stay within 10,000 parts")
    func partSizing() {
        #expect(S3Client.partSize(fileSize: 100 << 20, preferred: 8 << 20) == 8 << 20)
        let huge = 200 << 30
        let size = S3Client.partSize(fileSize: huge, preferred: 8 << 20)
        #expect((huge + size - 1) / size <= 10_000)
        #expect(S3Client.partSize(fileSize: 1, preferred: 1) == 5 << 20)
    }
}
