import CArchive
import Foundation
import Testing
@testable import SlipwayArchive

/// A scratch directory removed when the value is released.
final class Scratch {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path + "/slipway-archive-tests"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = try POSIX.makeTemporaryDirectory(prefix: base + "/t-")
    }

    deinit { POSIX.removeTree(path) }

    func sub(_ name: String) -> String { path + "/" + name }

    /// Names in the scratch directory (to prove no temporary files were left behind).
    func listing(_ relative: String = "") -> [String] {
        let directory = relative.isEmpty ? path : path + "/" + relative
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}

/// Builds source trees on disk.
struct TreeBuilder {
    let root: String

    init(_ root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    @discardableResult
    func file(_ relative: String, _ content: String, mode: Int = 0o644) throws -> TreeBuilder {
        try data(relative, Data(content.utf8), mode: mode)
    }

    @discardableResult
    func data(_ relative: String, _ content: Data, mode: Int = 0o644) throws -> TreeBuilder {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: POSIX.parentDirectory(of: path),
                                                withIntermediateDirectories: true)
        try content.write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode_t(mode)) == 0)
        return self
    }

    @discardableResult
    func directory(_ relative: String) throws -> TreeBuilder {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
        return self
    }

    @discardableResult
    func symlink(_ relative: String, to target: String) throws -> TreeBuilder {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: POSIX.parentDirectory(of: path),
                                                withIntermediateDirectories: true)
        #expect(Glibc.symlink(target, path) == 0)
        return self
    }
}

/// What a tree looks like, for comparing a source with its extraction.
enum Node: Equatable, CustomStringConvertible {
    case directory
    case file(content: Data, executable: Bool)
    case symlink(target: String)

    var description: String {
        switch self {
        case .directory: "dir"
        case .file(let content, let executable): "file(\(content.count) bytes\(executable ? ", exec" : ""))"
        case .symlink(let target): "symlink(\(target))"
        }
    }
}

func snapshot(_ root: String) throws -> [String: Node] {
    var result: [String: Node] = [:]
    func walk(_ relative: String) throws {
        let directory = relative.isEmpty ? root : root + "/" + relative
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            let info = try #require(POSIX.lstat(root + "/" + rel))
            if POSIX.isSymlink(info) {
                result[rel] = .symlink(target: try POSIX.readLink(root + "/" + rel))
            } else if POSIX.isDirectory(info) {
                result[rel] = .directory
                try walk(rel)
            } else {
                let content = try Data(contentsOf: URL(fileURLWithPath: root + "/" + rel))
                result[rel] = .file(content: content, executable: info.st_mode & 0o100 != 0)
            }
        }
    }
    try walk("")
    return result
}

func readBytes(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
}

func exists(_ path: String) -> Bool { POSIX.lstat(path) != nil }

/// Writes archives entry by entry with libarchive, for building malicious inputs in tests.
final class RawArchiveWriter {
    private let writer: OpaquePointer

    init(path: String, gzip: Bool = false, zip: Bool = false) throws {
        writer = try #require(archive_write_new())
        if zip {
            archive_write_set_format_zip(writer)
        } else {
            archive_write_set_format_pax_restricted(writer)
        }
        if gzip { archive_write_add_filter_gzip(writer) }
        try #require(archive_write_open_filename(writer, path) == ARCHIVE_OK)
    }

    func add(_ path: String, type: mode_t = SLIPWAY_AE_IFREG, perm: mode_t = 0o644, content: Data = Data(),
             declaredSize: Int64? = nil, symlink: String? = nil, hardlink: String? = nil) throws {
        let entry = archive_entry_new()
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, path)
        archive_entry_set_filetype(entry, UInt32(type))
        archive_entry_set_perm(entry, perm)
        if let symlink { archive_entry_set_symlink(entry, symlink) }
        if let hardlink { archive_entry_set_hardlink(entry, hardlink) }
        if type == SLIPWAY_AE_IFREG && hardlink == nil {
            archive_entry_set_size(entry, declaredSize ?? Int64(content.count))
        }
        try #require(archive_write_header(writer, entry) == ARCHIVE_OK, "header for \(path)")
        if !content.isEmpty {
            let written = content.withUnsafeBytes { archive_write_data(writer, $0.baseAddress, $0.count) }
            try #require(written == content.count)
        }
    }

    /// Streams `count` zero bytes in 1 MiB pieces (for bombs without holding them in memory).
    func addZeros(_ path: String, count: Int64) throws {
        let entry = archive_entry_new()
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, path)
        archive_entry_set_filetype(entry, UInt32(SLIPWAY_AE_IFREG))
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, count)
        try #require(archive_write_header(writer, entry) == ARCHIVE_OK)
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = count
        while remaining > 0 {
            let size = Int(min(Int64(chunk.count), remaining))
            try #require(archive_write_data(writer, chunk, size) == size)
            remaining -= Int64(size)
        }
    }

    func close() {
        archive_write_close(writer)
        archive_write_free(writer)
    }
}
