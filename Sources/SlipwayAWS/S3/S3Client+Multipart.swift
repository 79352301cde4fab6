import Crypto
import Foundation

extension S3Client {
    /// Uploads a file: one PUT up to `multipartThreshold`, otherwise a parallel multipart upload
    /// of `maxConcurrentParts` parts at a time, aborted if any part fails. Bodies are streamed
    /// from the file by offset (`AWSFileRange`), so memory does not grow with the part size:
    /// each part is read twice, once for its checksum and once while it is sent (the second
    /// read comes from the page cache). A `condition` applies to the final write (PutObject or
    /// CompleteMultipartUpload).
    ///
    /// `sha256Hex`, when the caller already knows the file's SHA-256 (a revision archive is named
    /// by it), becomes the single PUT's signed payload hash (`x-amz-content-sha256`), which S3
    /// checks against the bytes it receives: the PUT then needs no hashing pass over the file
    /// (Content-MD5 does), and a file that changed on disk since it was hashed is refused.
    @discardableResult
    public func uploadFile(bucket: String, key: String, file: URL, contentType: String = "application/octet-stream",
                           condition: S3WriteCondition = .none, metadata: [String: String] = [:],
                           sha256Hex: String? = nil) async throws -> S3PutResult {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: file.path]) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let size = Int(status.st_size)
        if size <= transferOptions.multipartThreshold {
            let range = AWSFileRange(descriptor: descriptor, offset: 0, length: size)
            var headers = Self.metadataHeaders(metadata)
            if sha256Hex == nil { headers.append(try Self.contentMD5(range)) }
            if let conditionHeader = condition.header { headers.append(conditionHeader) }
            var request = fileBodyRequest("PutObject", bucket: bucket, key: key, query: [], headers: headers,
                                          body: range, contentType: contentType)
            if let sha256Hex { request.payloadSigning = .precomputedSHA256(sha256Hex) }
            let response = try await conditional(bucket: bucket, key: key) { try await client.send(request) }
            return S3PutResult(etag: response[header: "etag"] ?? "", versionId: response[header: "x-amz-version-id"], partCount: nil)
        }
        let partSize = Self.partSize(fileSize: size, preferred: transferOptions.partSize)
        let partCount = (size + partSize - 1) / partSize
        let uploadId = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        do {
            let parts = try await uploadParts(bucket: bucket, key: key, uploadId: uploadId, descriptor: descriptor,
                                              size: size, partSize: partSize, partCount: partCount)
            var result = try await completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, parts: parts, condition: condition)
            result.partCount = partCount
            return result
        } catch {
            // Best effort, also after cancellation (hence unstructured): orphaned parts cost
            // money until a lifecycle rule removes them.
            let client = self
            await Task { try? await client.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId) }.value
            throw error
        }
    }

    /// Every multipart upload declares CRC32 checksums: each part then carries its CRC32, which
    /// the server verifies, and the object gets a composite checksum of the parts' checksums.
    /// Why CRC32 and not Content-MD5 (which single PUTs use): MD5 alone leaves the server to
    /// compute a whole-object checksum at completion; moto does it by copying the object once
    /// more in Python (≈0.6 s of a 258 MB upload, docs/benchmarks.md), and the CRC32 costs
    /// the client a fraction of an MD5.
    public func createMultipartUpload(bucket: String, key: String, contentType: String = "application/octet-stream",
                                      metadata: [String: String] = [:]) async throws -> String {
        let headers = [HTTPHeader("Content-Type", contentType), HTTPHeader("x-amz-checksum-algorithm", "CRC32")]
            + Self.metadataHeaders(metadata)
        let response = try await client.send(request("CreateMultipartUpload", "POST", bucket: bucket, key: key,
                                                     query: [AWSQueryItem("uploads", "")], headers: headers))
        guard let uploadId = try response.xml()["UploadId"], !uploadId.isEmpty else {
            throw S3Error.unexpectedResponse(operation: "CreateMultipartUpload", detail: "no UploadId")
        }
        return uploadId
    }

    /// Uploads one part (1-based number) with the CRC32 the server checks.
    public func uploadPart(bucket: String, key: String, uploadId: String, partNumber: Int, body: Data) async throws -> S3UploadedPart {
        try await uploadPart(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber,
                             checksum: CRC32.base64(body), body: .data(body, contentType: "application/octet-stream"))
    }

    /// Uploads one part streamed from a file range.
    public func uploadPart(bucket: String, key: String, uploadId: String, partNumber: Int, range: AWSFileRange) async throws -> S3UploadedPart {
        var crc = CRC32()
        try range.forEachChunk { crc.update($0) }
        return try await uploadPart(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber,
                                    checksum: crc.base64, body: .file(range, contentType: "application/octet-stream"))
    }

    /// The body goes as UNSIGNED-PAYLOAD: its integrity rests on the CRC32 header, which is
    /// signed, and which the server verifies.
    private func uploadPart(bucket: String, key: String, uploadId: String, partNumber: Int,
                            checksum: String, body: AWSRequestBody) async throws -> S3UploadedPart {
        var request = request("UploadPart", "PUT", bucket: bucket, key: key,
                              query: [AWSQueryItem("partNumber", String(partNumber)), AWSQueryItem("uploadId", uploadId)],
                              headers: [HTTPHeader("x-amz-checksum-crc32", checksum)], body: body)
        request.payloadSigning = .unsigned
        let response = try await client.send(request)
        guard let etag = response[header: "etag"] else {
            throw S3Error.unexpectedResponse(operation: "UploadPart", detail: "no ETag for part \(partNumber)")
        }
        return S3UploadedPart(etag: etag, checksumCRC32: checksum)
    }

    /// `parts[i]` is part i+1. Each part's CRC32 is repeated, as S3 requires of an upload
    /// created with a checksum algorithm.
    @discardableResult
    public func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [S3UploadedPart],
                                        condition: S3WriteCondition = .none) async throws -> S3PutResult {
        let elements = parts.enumerated().map { index, part in
            "<Part><ETag>\(Self.xmlEscape(part.etag))</ETag><ChecksumCRC32>\(part.checksumCRC32)</ChecksumCRC32>"
                + "<PartNumber>\(index + 1)</PartNumber></Part>"
        }.joined()
        let xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(elements)</CompleteMultipartUpload>"
        let headers = condition.header.map { [$0] } ?? []
        let response = try await conditional(bucket: bucket, key: key) {
            try await client.send(request("CompleteMultipartUpload", "POST", bucket: bucket, key: key,
                                          query: [AWSQueryItem("uploadId", uploadId)], headers: headers,
                                          body: .data(Data(xml.utf8), contentType: "application/xml")))
        }
        let root = try response.xml()
        // S3 may answer 200 and report the failure in the body.
        if root.name == "Error" {
            throw AWSError(service: "S3", operation: "CompleteMultipartUpload", status: response.status,
                           code: root["Code"] ?? "InternalError", message: root["Message"] ?? "", requestId: root["RequestId"])
        }
        return S3PutResult(etag: root["ETag"] ?? response[header: "etag"] ?? "", versionId: response[header: "x-amz-version-id"],
                           partCount: parts.count)
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        _ = try await client.send(request("AbortMultipartUpload", "DELETE", bucket: bucket, key: key,
                                          query: [AWSQueryItem("uploadId", uploadId)]))
    }

    /// Keeps at most `maxConcurrentParts` parts in flight (each a libcurl transfer on its own thread).
    private func uploadParts(bucket: String, key: String, uploadId: String, descriptor: Int32,
                             size: Int, partSize: Int, partCount: Int) async throws -> [S3UploadedPart] {
        try await withThrowingTaskGroup(of: (Int, S3UploadedPart).self) { group in
            var parts = [S3UploadedPart?](repeating: nil, count: partCount)
            var next = 0
            func addPart(_ index: Int) {
                group.addTask {
                    let offset = index * partSize
                    let range = AWSFileRange(descriptor: descriptor, offset: offset, length: min(partSize, size - offset))
                    return (index, try await uploadPart(bucket: bucket, key: key, uploadId: uploadId, partNumber: index + 1, range: range))
                }
            }
            while next < min(transferOptions.maxConcurrentParts, partCount) { addPart(next); next += 1 }
            while let (index, part) = try await group.next() {
                parts[index] = part
                if next < partCount { addPart(next); next += 1 }
            }
            return parts.compactMap { $0 }
        }
    }

    /// The preferred size, grown so the file fits in S3's 10,000-part limit.
    static func partSize(fileSize: Int, preferred: Int) -> Int {
        var partSize = max(preferred, 5 << 20)
        while (fileSize + partSize - 1) / partSize > 10_000 { partSize *= 2 }
        return partSize
    }

    /// `Content-MD5` of a file range, read in 1 MiB chunks.
    static func contentMD5(_ range: AWSFileRange) throws -> HTTPHeader {
        var md5 = Insecure.MD5()
        try range.forEachChunk { md5.update(bufferPointer: $0) }
        return HTTPHeader("Content-MD5", Data(md5.finalize()).base64EncodedString())
    }

    /// A single PUT of file bytes. Integrity comes from the Content-MD5 header the caller adds
    /// (or a known SHA-256 it signs instead, see `uploadFile`): it is a signed header and the
    /// server rejects a body that does not match it. The body itself is sent as
    /// `UNSIGNED-PAYLOAD`, so each byte is hashed once (MD5) instead of twice (MD5 + SHA-256 for
    /// the signature); small API bodies (`putObject`) stay fully signed.
    func fileBodyRequest(_ operation: String, bucket: String, key: String, query: [AWSQueryItem],
                         headers: [HTTPHeader], body: AWSFileRange, contentType: String) -> AWSRequest {
        var request = request(operation, "PUT", bucket: bucket, key: key, query: query, headers: headers,
                              body: .file(body, contentType: contentType))
        request.payloadSigning = .unsigned
        return request
    }

    static func xmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
