/// The safety rules every entry passes before anything is written, shared by `inspect`,
/// `validate` and `extract` so that validation can never accept what extraction would refuse.
///
/// Hard links are allowed only to a regular file extracted earlier from the same archive
/// (GNU tar emits those for files with several links); everything else is refused.
struct EntryValidator {
    let limits: ExtractionLimits
    let packedBytes: Int64
    private(set) var entryCount = 0
    private(set) var expandedBytes: Int64 = 0
    private var symlinks: [String: String] = [:]
    private var regularFiles = Set<String>()

    init(limits: ExtractionLimits, packedBytes: Int64) {
        self.limits = limits
        self.packedBytes = packedBytes
    }

    enum RawKind {
        case file, directory, symlink(String), hardLink(String), special(String)
    }

    /// Checks one header. Returns nil for the archive root (`.` or `./`), which is skipped.
    mutating func admit(path rawPath: String, kind: RawKind, size: Int64,
                        permissions: UInt32) throws(ArchiveError) -> EntryInfo? {
        entryCount += 1
        if entryCount > limits.maxEntries { throw .tooManyEntries(limit: limits.maxEntries) }

        let path = try normalize(rawPath, entry: rawPath)
        if path.isEmpty {
            if case .directory = kind { return nil }
            throw .entryEscapesDestination(entry: rawPath)
        }
        if let symlink = symlinkPrefix(of: path) {
            throw .entryThroughSymlink(entry: rawPath, symlink: symlink)
        }

        let info: EntryInfo
        let safePermissions = permissions & 0o777
        switch kind {
        case .special(let kindName):
            throw .specialFileRefused(entry: rawPath, kind: kindName)
        case .directory:
            forget(path)
            info = EntryInfo(path: path, kind: .directory, size: 0, permissions: safePermissions, linkTarget: nil)
        case .file:
            forget(path)
            regularFiles.insert(path)
            info = EntryInfo(path: path, kind: .file, size: size, permissions: safePermissions, linkTarget: nil)
        case .symlink(let target):
            forget(path)
            guard !target.isEmpty, staysInside(linkPath: path, target: target) else {
                throw .symlinkEscapesDestination(entry: rawPath, target: target)
            }
            symlinks[path] = target
            info = EntryInfo(path: path, kind: .symlink, size: 0, permissions: 0o777, linkTarget: target)
        case .hardLink(let rawTarget):
            guard !rawTarget.hasPrefix("/"),
                  let target = try? normalize(rawTarget, entry: rawPath),
                  regularFiles.contains(target), symlinkPrefix(of: target) == nil, target != path else {
                throw .hardLinkRefused(entry: rawPath, target: rawTarget)
            }
            forget(path)
            regularFiles.insert(path)
            info = EntryInfo(path: path, kind: .hardLink, size: size, permissions: safePermissions, linkTarget: target)
        }
        try account(bytes: info.size)
        return info
    }

    /// Adds bytes that were actually read beyond what headers declared (zip entries may have
    /// no size in their header), so lying headers cannot slip past the limits.
    mutating func account(bytes: Int64) throws(ArchiveError) {
        expandedBytes += bytes
        if expandedBytes > limits.maxBytes {
            throw .expandedSizeTooLarge(bytes: expandedBytes, limit: limits.maxBytes)
        }
        let (ratioLimit, overflow) = packedBytes.multipliedReportingOverflow(by: Int64(limits.maxRatio))
        if expandedBytes > limits.ratioFloorBytes, !overflow, expandedBytes > ratioLimit {
            throw .compressionRatioTooHigh(expanded: expandedBytes, packed: packedBytes, maxRatio: limits.maxRatio)
        }
    }

    /// Re-checks every symlink against the complete set: a link may lean on another symlink
    /// that only appeared later in the archive.
    func finish() throws(ArchiveError) {
        for (path, target) in symlinks.sorted(by: { $0.key < $1.key })
        where !staysInside(linkPath: path, target: target) {
            throw .symlinkEscapesDestination(entry: path, target: target)
        }
    }

    private func staysInside(linkPath: String, target: String) -> Bool {
        SymlinkContainment.staysInside(linkPath: linkPath, target: target) { symlinks[$0] }
    }

    private mutating func forget(_ path: String) {
        symlinks[path] = nil
        regularFiles.remove(path)
    }

    private func normalize(_ raw: String, entry: String) throws(ArchiveError) -> String {
        if raw.hasPrefix("/") { throw .absoluteEntryPath(entry: entry) }
        let parts = SymlinkContainment.components(raw)
        if parts.contains("..") { throw .entryEscapesDestination(entry: entry) }
        return parts.joined(separator: "/")
    }

    /// The first proper ancestor of `path` that is a symlink entry, if any.
    private func symlinkPrefix(of path: String) -> String? {
        guard !symlinks.isEmpty else { return nil }
        var ancestor = ""
        for component in path.split(separator: "/").dropLast() {
            ancestor = ancestor.isEmpty ? String(component) : ancestor + "/" + component
            if symlinks[ancestor] != nil { return ancestor }
        }
        return nil
    }
}
