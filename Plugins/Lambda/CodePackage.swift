import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// The revision archive as a Lambda deployment package: from the S3 store by bucket and key
/// (Lambda reads it itself, up to its 250 MB unzipped limit), from a file store as the zip sent
/// in the request (Lambda's 50 MB direct-upload limit).
enum CodePackage {
    /// Where UpdateFunctionCode reads the code, and how to say so in the log.
    static func source(for revision: Revision, readFile: Bool = true) throws(PluginError) -> (source: LambdaCodeSource?, description: String) {
        guard revision.format == "zip" else {
            throw PluginError.invalidConfig("a lambda stage deploys the revision as the function's code package, which must be a zip; "
                                            + "this revision is \(revision.format): set `revision: {format: zip}` in the pipeline")
        }
        if let location = revision.location, case let (bucket, key)? = s3Object(location) {
            return (.s3(bucket: bucket, key: key, objectVersion: nil), "s3://\(bucket)/\(key)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: revision.archive)[.size] as? Int) ?? 0
        if size > LambdaLimits.directUploadBytes {
            throw PluginError.failed("the revision zip is \(megabytes(size)) and Lambda takes at most \(megabytes(LambdaLimits.directUploadBytes)) "
                                     + "uploaded directly; use an S3 store (store: {url: s3://bucket/prefix}) so Lambda reads the code from S3 "
                                     + "(up to \(megabytes(LambdaLimits.unzippedBytes)) unzipped)")
        }
        let description = "a direct upload of \(revision.archive) (\(megabytes(size)))"
        guard readFile else { return (nil, description) }
        guard let data = FileManager.default.contents(atPath: revision.archive) else {
            throw PluginError.failed("cannot read the revision archive \(revision.archive)")
        }
        return (.zipFile(data), description)
    }

    /// `s3://bucket/key…` → (bucket, key).
    static func s3Object(_ location: String) -> (String, String)? {
        guard location.hasPrefix("s3://") else { return nil }
        let rest = location.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let bucket = String(rest[..<slash]), key = String(rest[rest.index(after: slash)...])
        return bucket.isEmpty || key.isEmpty ? nil : (bucket, key)
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes < 1_048_576 ? "\((bytes + 1023) / 1024) KB" : String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
