import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A store in a local folder. Writes go to a temporary file that is fsynced and renamed, so a
/// reader never sees half an object; `.ifAbsent` publishes with link(2), which fails atomically
/// when the key exists (the O_EXCL guarantee, without exposing a partly written file);
/// `.ifMatch` compares and swaps under an flock so two writers cannot both win.
/// The version tag is the file's identity — inode, modification time and size — read with one
/// stat: every write publishes a new file (a new inode), so the tag changes with each version,
/// and `head` of a large archive costs no read of its bytes.
public struct FileStore: ArtifactStore {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var location: String { "file://\(root)" }

    private func path(_ key: String) throws(StoreError) -> String {
        try StoreKey.check(key)
        return root + "/" + key
    }

    public func head(_ key: String) async throws(StoreError) -> StoredObject? {
        let file = try path(key)
        var info = stat()
        guard stat(file, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw .io(operation: "stat", path: file, message: String(cString: strerror(errno)))
        }
        return Self.object(info)
    }

    public func get(_ key: String) async throws(StoreError) -> (data: Data, object: StoredObject)? {
        let file = try path(key)
        // Open once and stat the open file, so the tag describes exactly the bytes read even if
        // a writer replaces the key meanwhile.
        guard let handle = FileHandle(forReadingAtPath: file) else {
            if !FileManager.default.fileExists(atPath: file) { return nil }
            throw .io(operation: "open", path: file, message: "not readable")
        }
        defer { try? handle.close() }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0 else {
            throw .io(operation: "stat", path: file, message: String(cString: strerror(errno)))
        }
        do {
            let data = try handle.readToEnd() ?? Data()
            return (data, Self.object(info))
        } catch {
            throw .io(operation: "read", path: file, message: error.localizedDescription)
        }
    }

    @discardableResult
    public func put(_ key: String, data: Data, condition: WriteCondition) async throws(StoreError) -> StoredObject {
        let file = try path(key)
        let temporary = try writeTemporary(for: file) { fd throws(StoreError) in
            try Self.writeAll(fd, data, path: file)
        }
        defer { unlink(temporary) }
        // The tag of what we publish, taken from the temporary file itself: rename and link keep
        // its inode and times, and a writer replacing the key right after us cannot change it.
        guard let object = try statObject(temporary) else { throw .io(operation: "stat", path: temporary, message: "vanished") }
        switch condition {
        case .none:
            try rename(temporary, file)
        case .ifAbsent:
            guard link(temporary, file) == 0 else {
                if errno == EEXIST { throw .preconditionFailed(key: key) }
                throw .io(operation: "create", path: file, message: String(cString: strerror(errno)))
            }
        case .ifMatch(let expected):
            try withLock(file) { () throws(StoreError) in
                guard try statObject(file)?.tag == expected else { throw .preconditionFailed(key: key) }
                try rename(temporary, file)
            }
        }
        return object
    }

    /// `head` for a path, synchronously (used inside the CAS lock).
    private func statObject(_ file: String) throws(StoreError) -> StoredObject? {
        var info = stat()
        guard stat(file, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .io(operation: "stat", path: file, message: String(cString: strerror(errno)))
        }
        return Self.object(info)
    }

    @discardableResult
    public func putFile(_ key: String, path source: String, sha256: String?) async throws(StoreError) -> StoredObject {
        let file = try path(key)
        let temporary = try writeTemporary(for: file) { fd throws(StoreError) in
            guard let input = FileHandle(forReadingAtPath: source) else {
                throw .io(operation: "open", path: source, message: "no such file or not readable")
            }
            defer { try? input.close() }
            while true {
                let chunk: Data
                do { chunk = try input.read(upToCount: 1 << 20) ?? Data() } catch {
                    throw .io(operation: "read", path: source, message: error.localizedDescription)
                }
                if chunk.isEmpty { break }
                try Self.writeAll(fd, chunk, path: file)
            }
        }
        defer { unlink(temporary) }
        guard let object = try statObject(temporary) else { throw .io(operation: "stat", path: temporary, message: "vanished") }
        try rename(temporary, file)
        return object
    }

    public func getFile(_ key: String, to destination: String) async throws(StoreError) {
        let file = try path(key)
        guard FileManager.default.fileExists(atPath: file) else { throw .notFound(key: key) }
        let partial = destination + ".partial-\(getpid())"
        unlink(partial)
        do {
            try FileManager.default.copyItem(atPath: file, toPath: partial)
        } catch {
            throw .io(operation: "copy", path: file, message: error.localizedDescription)
        }
        guard Glibc.rename(partial, destination) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(partial)
            throw .io(operation: "rename", path: destination, message: message)
        }
    }

    public func list(prefix: String) async throws(StoreError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var keys: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            // Temporary files and lock files are the store's own, never keys.
            if name.hasPrefix(".") { continue }
            var isDirectory: ObjCBool = false
            guard relative.hasPrefix(prefix),
                  FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
                  !isDirectory.boolValue else { continue }
            keys.append(relative)
        }
        return keys.sorted()
    }

    public func delete(_ key: String) async throws(StoreError) {
        let file = try path(key)
        if unlink(file) != 0, errno != ENOENT {
            throw .io(operation: "delete", path: file, message: String(cString: strerror(errno)))
        }
    }

    // MARK: Helpers

    static func object(_ info: stat) -> StoredObject {
        StoredObject(size: Int64(info.st_size),
                     tag: "\(info.st_ino)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)-\(info.st_size)")
    }

    /// Creates a hidden temporary file beside `file`, lets `body` fill it, fsyncs it.
    private func writeTemporary(for file: String, _ body: (Int32) throws(StoreError) -> Void) throws(StoreError) -> String {
        let directory = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(operation: "create directory", path: directory, message: error.localizedDescription)
        }
        var template = Array("\(directory)/.\((file as NSString).lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw .io(operation: "create a temporary file in", path: directory, message: String(cString: strerror(errno)))
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do throws(StoreError) {
            defer { close(fd) }
            try body(fd)
            fchmod(fd, 0o644)
            guard fsync(fd) == 0 else {
                throw StoreError.io(operation: "fsync", path: temporary, message: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return temporary
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(StoreError) {
        let failure: Int32? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure {
            throw .io(operation: "write", path: path, message: String(cString: strerror(failure)))
        }
    }

    private func rename(_ from: String, _ to: String) throws(StoreError) {
        guard Glibc.rename(from, to) == 0 else {
            throw .io(operation: "rename", path: to, message: String(cString: strerror(errno)))
        }
        // Make the rename itself durable.
        let directory = open((to as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private func withLock(_ file: String, _ body: () throws(StoreError) -> Void) throws(StoreError) {
        let lockPath = ((file as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("." + (file as NSString).lastPathComponent + ".lock")
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "lock", path: file, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw .io(operation: "lock", path: file, message: String(cString: strerror(errno))) }
        defer { flock(fd, LOCK_UN) }
        try body()
    }
}
