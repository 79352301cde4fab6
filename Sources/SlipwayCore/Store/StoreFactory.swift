/// Opens the store a pipeline names.
public enum StoreFactory {
    public static func make(_ spec: StoreSpec, environment: [String: String]) throws -> any ArtifactStore {
        switch spec.location {
        case .file(let path):
            return FileStore(root: path)
        case .s3:
            throw StoreError.remote("s3:// stores arrive with the AWS client")
        }
    }
}
