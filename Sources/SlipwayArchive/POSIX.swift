#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, typed-throwing wrappers over the few POSIX calls this module needs. Foundation's
/// FileManager is avoided because it follows symlinks in places and re-encodes names.
enum POSIX {
    static func errorMessage(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    static func lstat(_ path: String) -> stat? {
        var info = stat()
        return Glibc_lstat(path, &info) == 0 ? info : nil
    }

    static func requireLstat(_ path: String) throws(ArchiveError) -> stat {
        guard let info = lstat(path) else {
            throw .io(operation: "stat", path: path, message: errorMessage())
        }
        return info
    }

    static func readLink(_ path: String) throws(ArchiveError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length >= 0 else {
            throw .io(operation: "readlink", path: path, message: errorMessage())
        }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func realPath(_ path: String) throws(ArchiveError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw .io(operation: "resolve", path: path, message: errorMessage())
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Names in a directory, excluding `.` and `..`, as raw bytes (decoding is the caller's call).
    static func directoryEntries(_ path: String) throws(ArchiveError) -> [[UInt8]] {
        guard let directory = opendir(path) else {
            throw .io(operation: "open directory", path: path, message: errorMessage())
        }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        return names
    }

    /// The names of a directory's entries with their lstat, each taken relative to the open
    /// directory (`fstatat`): the kernel does not walk the whole path again for every entry,
    /// which was a fifth of the time of fingerprinting a tree of 20,000 files.
    static func directoryEntriesWithStatus(_ path: String) throws(ArchiveError) -> [(name: [UInt8], info: stat)] {
        guard let directory = opendir(path) else {
            throw .io(operation: "open directory", path: path, message: errorMessage())
        }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var entries: [(name: [UInt8], info: stat)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var info = stat()
            // d_name is NUL-terminated in place.
            let status = withUnsafePointer(to: &entry.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) { name in
                    fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW)
                }
            }
            guard status == 0 else {
                throw .io(operation: "stat", path: path + "/" + String(decoding: name, as: UTF8.self), message: errorMessage())
            }
            entries.append((name, info))
        }
        return entries
    }

    /// Writes all of `bytes`, retrying short writes and EINTR; false on failure, with errno set.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                if written == 0 { errno = EIO }
                return false
            }
            offset += written
        }
        return true
    }

    static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }
    static func isRegular(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }
    static func isSymlink(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFLNK }

    static func kindName(_ info: stat) -> String {
        switch info.st_mode & S_IFMT {
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }

    /// Creates a fresh, uniquely named directory `<prefix>XXXXXX`.
    static func makeTemporaryDirectory(prefix: String) throws(ArchiveError) -> String {
        var template = Array((prefix + "XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            throw .io(operation: "create temporary directory in", path: prefix, message: errorMessage())
        }
        return string(fromNullTerminated: template)
    }

    /// Creates a fresh file `<prefix>XXXXXX` and returns its path and open descriptor.
    static func makeTemporaryFile(prefix: String) throws(ArchiveError) -> (path: String, fd: Int32) {
        var template = Array((prefix + "XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw .io(operation: "create temporary file", path: prefix, message: errorMessage())
        }
        return (string(fromNullTerminated: template), fd)
    }

    /// A mkdtemp/mkstemp template back as a String (`String(cString:)` on arrays is deprecated).
    private static func string(fromNullTerminated characters: [CChar]) -> String {
        String(decoding: characters.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func rename(_ from: String, _ to: String) throws(ArchiveError) {
        guard Glibc_rename(from, to) == 0 else {
            throw .io(operation: "rename to", path: to, message: errorMessage())
        }
    }

    /// Deletes a tree without following symlinks. Best effort: used for cleanup after failure.
    /// Works on raw bytes so names that are not UTF-8 (possible in foreign archives) still go.
    static func removeTree(_ path: String) {
        removeTree(bytes: Array(path.utf8))
    }

    private static func removeTree(bytes path: [UInt8]) {
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        var info = stat()
        guard Glibc_lstat(cPath, &info) == 0 else { return }
        if isDirectory(info) {
            // Restore owner access first: extraction may have created read-only directories.
            chmod(cPath, 0o700)
            if let directory = opendir(cPath) {
                var names: [[UInt8]] = []
                while let entry = readdir(directory) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        Array(raw.prefix(while: { $0 != 0 }))
                    }
                    if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                    names.append(name)
                }
                closedir(directory)
                for name in names { removeTree(bytes: path + [0x2F] + name) }
            }
            rmdir(cPath)
        } else {
            unlink(cPath)
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

// Module-qualified aliases: inside `enum POSIX` the static methods shadow the C functions.
private func Glibc_lstat(_ path: String, _ info: inout stat) -> Int32 { lstat(path, &info) }
private func Glibc_lstat(_ path: [CChar], _ info: inout stat) -> Int32 { lstat(path, &info) }
private func Glibc_rename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
