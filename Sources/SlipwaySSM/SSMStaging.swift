import Foundation
import SlipwayAWS
import SlipwayArchive

/// Where bundles wait for hosts to fetch them: an S3 bucket and key prefix. Objects are named
/// by content (`<prefix><sha256>`), so N hosts of one deployment upload the bundle once.
public struct SSMStaging: Sendable {
    public var s3: S3Client
    public var bucket: String
    public var prefix: String
    /// Lifetime of the presigned GET URLs handed to hosts.
    public var urlLifetimeSeconds: Int

    public init(s3: S3Client, bucket: String, prefix: String = "slipway-ssm/", urlLifetimeSeconds: Int = 3600) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.urlLifetimeSeconds = urlLifetimeSeconds
    }

    public struct Staged: Sendable {
        public var url: URL
        public var key: String
        public var size: UInt64
        public var sha256: String
    }

    /// Uploads `file` unless an object of the same content is already there; returns a
    /// presigned GET URL for it.
    public func stage(_ file: String) async throws -> Staged {
        let sha256 = try SHA256Stream.hexDigest(ofFile: file)
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        let key = prefix + sha256
        if try await s3.headObject(bucket: bucket, key: key)?.contentLength != Int64(size) {
            try await s3.uploadFile(bucket: bucket, key: key, file: URL(fileURLWithPath: file))
        }
        let url = try await s3.presignedURL(bucket: bucket, key: key, expires: urlLifetimeSeconds)
        return Staged(url: url, key: key, size: size, sha256: sha256)
    }
}
