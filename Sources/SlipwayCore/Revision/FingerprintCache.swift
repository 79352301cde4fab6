import Foundation

/// Remembers which archive a source tree's fingerprint (its paths, sizes, modes and change times)
/// produced, so pushing an unchanged tree skips packaging. A stale or unreadable cache only costs
/// a re-packaging; it is never trusted beyond an exact fingerprint match.
struct FingerprintCache {
    struct Entry: Codable {
        var path: String
        var metadata: RevisionMetadata
    }

    let path: String
    /// Entries kept: enough for switching between a few branches without growing forever.
    static let capacity = 32

    func lookup(_ fingerprint: String) -> Entry? {
        load()[fingerprint]
    }

    func record(_ fingerprint: String, path archive: String, metadata: RevisionMetadata) {
        var entries = load()
        entries[fingerprint] = Entry(path: archive, metadata: metadata)
        if entries.count > Self.capacity {
            let oldest = entries.sorted { $0.value.metadata.createdAt < $1.value.metadata.createdAt }
            for (key, _) in oldest.prefix(entries.count - Self.capacity) { entries[key] = nil }
        }
        guard let data = try? RevisionJSON.encoder.encode(entries) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func load() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: path),
              let entries = try? RevisionJSON.decoder.decode([String: Entry].self, from: data) else { return [:] }
        return entries
    }
}
