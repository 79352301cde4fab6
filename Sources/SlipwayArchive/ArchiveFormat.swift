/// The archive formats Slipway writes. Reading accepts these plus pax/ustar tar and
/// bzip2/xz-compressed tar, because foreign bundles come from many tools.
public enum ArchiveFormat: String, Sendable, CaseIterable, Codable {
    /// GNU tar compressed with gzip: what CodeDeploy bundles use, and the default.
    case tgz
    /// Uncompressed GNU tar.
    case tar
    /// Zip with deflate.
    case zip
    /// GNU tar compressed with zstd (fastest on multi-core machines, smaller than gzip).
    case tzst

    /// The conventional file name extension, without the leading dot.
    public var fileExtension: String {
        switch self {
        case .tgz: "tar.gz"
        case .tar: "tar"
        case .zip: "zip"
        case .tzst: "tar.zst"
        }
    }

    /// The compression level used when `PackageOptions.compressionLevel` is nil.
    /// gzip 6 matches `gzip`/`tar czf`; zstd 3 is zstd's own default.
    public var defaultCompressionLevel: Int? {
        switch self {
        case .tgz, .zip: 6
        case .tzst: 3
        case .tar: nil
        }
    }

    /// The valid range of compression levels, nil when the format does not compress.
    public var compressionLevels: ClosedRange<Int>? {
        switch self {
        case .tgz, .zip: 0...9
        case .tzst: 1...19
        case .tar: nil
        }
    }

    /// Guesses the format from a file name (`.tar.gz`, `.tgz`, `.tar`, `.zip`, `.tar.zst`, `.tzst`).
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") { self = .tgz }
        else if lower.hasSuffix(".tar.zst") || lower.hasSuffix(".tzst") { self = .tzst }
        else if lower.hasSuffix(".tar") { self = .tar }
        else if lower.hasSuffix(".zip") { self = .zip }
        else { return nil }
    }
}
