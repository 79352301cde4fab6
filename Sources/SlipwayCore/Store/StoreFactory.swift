/// Opens the store a pipeline names.
public enum StoreFactory {
    public static func make(_ spec: StoreSpec, environment: [String: String]) throws -> any ArtifactStore {
        switch spec.location {
        case .file(let path):
            return FileStore(root: path)
        case .s3(let bucket, let prefix):
            return try S3Store(bucket: bucket, prefix: prefix, region: spec.region, endpoint: spec.endpoint, environment: environment,
                               transferOptions: spec.transfer)
        }
    }
}
