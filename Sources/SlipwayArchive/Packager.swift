import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic packaging: the same tree gives byte-identical archives on any machine.
///
/// Pinned down: entry order (bytewise by relative path), mtime (`fixedModificationTime`,
/// 1980-01-01T00:00:00Z; zip entries carry no mtime at all, see below), uid/gid 0 with empty
/// owner names, modes (directories 0755, files 0755 when any exec bit is set else 0644,
/// symlinks 0777), no atime/ctime/xattrs/ACLs, gzip header without timestamp or name, name
/// bytes independent of the locale, gzip and zstd output independent of the core count
/// (`ParallelGzipWriter` cuts the tar stream into fixed blocks whatever the thread count).
/// Zip: libarchive converts a zip entry's mtime to a DOS time through the local time zone, so
/// zip entries are written without an mtime (DOS 1980-01-01 00:00, no UT timestamp), which is
/// identical in every zone. Byte identity also assumes the same zlib/libzstd versions.
public struct Packager {
    /// The mtime of every tar entry: 1980-01-01T00:00:00Z, the zip epoch, so both formats agree.
    public static let fixedModificationTime = 315_532_800
    /// Bytes read from a source file per `read(2)`: memory stays flat whatever the file size.
    public static let chunkSize = 256 * 1024
    /// Minimum seconds between two progress reports.
    public static let progressInterval = 0.1

    /// Packages `source` into `output` (written to a temporary sibling, renamed on success).
    /// The archive file itself is skipped if it lies inside `source`. `totals`: what the caller
    /// already knows of the tree (from `fingerprint`), for progress; without it, and with a
    /// `progress` handler, a first walk counts them.
    @discardableResult
    public static func package(source: String, to output: String, options: PackageOptions = PackageOptions(),
                               totals knownTotals: PackageTotals? = nil,
                               progress: (@Sendable (PackageProgress) -> Void)? = nil) throws(ArchiveError) -> PackageResult {
        // A symlink to a directory is accepted as the root; realpath resolves it below.
        guard let rootInfo = POSIX.lstat(source), POSIX.isDirectory(rootInfo) || POSIX.isSymlink(rootInfo) else {
            throw .sourceNotDirectory(path: source)
        }
        let root = try POSIX.realPath(source)
        guard let resolvedInfo = POSIX.lstat(root), POSIX.isDirectory(resolvedInfo) else {
            throw .sourceNotDirectory(path: source)
        }

        let outputDirectory = try POSIX.realPath(POSIX.parentDirectory(of: output))
        let outputName = POSIX.baseName(of: output)
        let finalPath = outputDirectory + "/" + outputName
        let (temporaryPath, fd) = try POSIX.makeTemporaryFile(prefix: outputDirectory + "/." + outputName + ".partial-")
        var succeeded = false
        defer {
            close(fd)
            if !succeeded { unlink(temporaryPath) }
        }

        let tree = SourceTree(root: root, filter: try makeFilter(root: root, options: options),
                              skip: pathsInside(root: root, [finalPath, temporaryPath]), threads: threadCount(options))
        let sink = HashingFileSink(fd: fd, path: temporaryPath)
        // The entries are never all held at once (memory stays flat whatever the tree size), so
        // progress totals come from the caller or from a walk of their own.
        var totals = PackageTotals()
        if let knownTotals { totals = knownTotals } else if progress != nil { totals = try tree.totals() }
        let counts = try write(tree, root: root, sink: sink, options: options, totals: totals, progress: progress)

        guard fchmod(fd, 0o644) == 0 else {
            throw .io(operation: "chmod", path: temporaryPath, message: POSIX.errorMessage())
        }
        try POSIX.rename(temporaryPath, finalPath)
        succeeded = true
        return PackageResult(sha256: sink.digestHex(), size: sink.byteCount, fileCount: counts.files,
                             directoryCount: counts.directories, format: options.format)
    }

    /// `options.threads`, or one per online core.
    static func threadCount(_ options: PackageOptions) -> Int {
        max(1, options.threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    static func makeFilter(root: String, options: PackageOptions) throws(ArchiveError) -> PathFilter {
        var rules = IgnoreRules()
        let ignorePath = root + "/" + SourceTree.ignoreFileName
        if options.useIgnoreFile, let info = POSIX.lstat(ignorePath), POSIX.isRegular(info) {
            rules = IgnoreRules(parsing: try readSmallTextFile(ignorePath))
        }
        return PathFilter(ignoreRules: rules, include: options.include.map(GlobPattern.init),
                          exclude: options.exclude.map(GlobPattern.init))
    }

    /// Relative paths of the given absolute paths that lie directly or deeper inside `root`.
    private static func pathsInside(root: String, _ paths: [String]) -> Set<String> {
        Set(paths.compactMap { path in
            path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : nil
        })
    }

    private static func write(_ tree: SourceTree, root: String, sink: HashingFileSink,
                              options: PackageOptions, totals: PackageTotals,
                              progress: (@Sendable (PackageProgress) -> Void)?) throws(ArchiveError) -> (files: Int, directories: Int) {
        let threads = threadCount(options)
        if options.format == .tzst {
            // libarchive writes plain tar into the zstd stage (its own thread), which feeds the file sink.
            let level = try ArchiveWriterSetup.compressionLevel(for: .tzst, requested: options.compressionLevel) ?? 3
            let zstd = try ZstdStreamWriter(destination: sink, path: sink.path, level: level)
            defer { zstd.shutDown() }
            return try write(tree, root: root, into: zstd, options: options, totals: totals, progress: progress)
        }
        if options.format == .zip {
            let level = try ArchiveWriterSetup.compressionLevel(for: .zip, requested: options.compressionLevel) ?? 6
            let zip = try ZipStreamWriter(output: sink, outputPath: sink.path, level: level,
                                          spoolDirectory: POSIX.parentDirectory(of: sink.path))
            let counts = try writeEntries(tree, root: root, totals: totals, progress: progress) { item throws(ArchiveError) in
                switch item.kind {
                case .directory: try zip.addDirectory(item.relativePath)
                case .symlink(let target): try zip.addSymlink(item.relativePath, target: target)
                case .file(let size, let executable, _): try zip.beginFile(item.relativePath, executable: executable, size: size)
                }
            } data: { chunk throws(ArchiveError) in
                try zip.write(chunk)
            } end: { item throws(ArchiveError) in
                if case .file = item.kind { try zip.endFile() }
            }
            try zip.finish()
            guard sink.finish() else { throw sink.failure ?? .io(operation: "write", path: sink.path, message: "cannot finish") }
            return counts
        }
        guard options.format == .tgz else {
            return try write(tree, root: root, into: sink, options: options, totals: totals, progress: progress)
        }
        // libarchive writes plain tar into the parallel gzip stage, which feeds the file sink.
        let level = try ArchiveWriterSetup.compressionLevel(for: .tgz, requested: options.compressionLevel) ?? 6
        let gzip = try ParallelGzipWriter(destination: sink, path: sink.path, level: level, threads: threads)
        defer { gzip.shutDown() }
        return try write(tree, root: root, into: gzip, options: options, totals: totals, progress: progress)
    }

    /// `output` is a parameter, hence alive until libarchive (which only holds an unretained
    /// pointer to it) is freed at the end of this call.
    private static func write(_ tree: SourceTree, root: String, into output: any ArchiveByteSink,
                              options: PackageOptions, totals: PackageTotals,
                              progress: (@Sendable (PackageProgress) -> Void)?) throws(ArchiveError) -> (files: Int, directories: Int) {
        guard let writer = archive_write_new() else {
            throw .libarchive(operation: "create writer", message: "out of memory")
        }
        defer { archive_write_free(writer) }
        try ArchiveWriterSetup.configure(writer, format: options.format, compressionLevel: options.compressionLevel)
        guard LibarchiveOutput.open(writer, into: output) == ARCHIVE_OK else {
            throw output.failure ?? Libarchive.fail(writer, "open archive")
        }

        let entry = archive_entry_new()
        defer { archive_entry_free(entry) }
        let counts = try writeEntries(tree, root: root, totals: totals, progress: progress) { item throws(ArchiveError) in
            archive_entry_clear(entry)
            fillHeader(entry, for: item)
            guard archive_write_header(writer, entry) == ARCHIVE_OK else {
                throw output.failure ?? Libarchive.fail(writer, "write header of \"\(item.relativePath)\"")
            }
        } data: { chunk throws(ArchiveError) in
            guard archive_write_data(writer, chunk.baseAddress, chunk.count) == chunk.count else {
                throw output.failure ?? Libarchive.fail(writer, "write data")
            }
        } end: { _ throws(ArchiveError) in }
        guard archive_write_close(writer) == ARCHIVE_OK else {
            throw output.failure ?? Libarchive.fail(writer, "finish archive")
        }
        return counts
    }

    /// The walk every format shares: each entry is begun, a file's bytes are streamed in
    /// `chunkSize` pieces, the entry is ended; progress is reported as bytes go by.
    private static func writeEntries(_ tree: SourceTree, root: String, totals: PackageTotals,
                                     progress: (@Sendable (PackageProgress) -> Void)?,
                                     begin: (SourceEntry) throws(ArchiveError) -> Void,
                                     data: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void,
                                     end: (SourceEntry) throws(ArchiveError) -> Void) throws(ArchiveError) -> (files: Int, directories: Int) {
        let fileTotal = totals.files, byteTotal = totals.bytes
        var directoryCount = 0
        var throttle = ProgressThrottle(interval: progressInterval, report: progress)
        var filesDone = 0
        var bytesDone: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }

        try tree.forEachEntry { item throws(ArchiveError) in
            try begin(item)
            if case .file(let size, _, _) = item.kind {
                try copyFile(root + "/" + item.relativePath, relativePath: item.relativePath, size: size, buffer: buffer) { chunk throws(ArchiveError) in
                    try data(chunk)
                    bytesDone += Int64(chunk.count)
                    throttle.offer(PackageProgress(filesDone: filesDone, filesTotal: fileTotal,
                                                   bytesDone: bytesDone, bytesTotal: byteTotal))
                }
            }
            try end(item)
            if case .directory = item.kind {
                directoryCount += 1
                return
            }
            filesDone += 1
            throttle.offer(PackageProgress(filesDone: filesDone, filesTotal: fileTotal,
                                           bytesDone: bytesDone, bytesTotal: byteTotal))
        }
        throttle.offer(PackageProgress(filesDone: filesDone, filesTotal: max(fileTotal, filesDone),
                                       bytesDone: bytesDone, bytesTotal: max(byteTotal, bytesDone)), final: true)
        return (filesDone, directoryCount)
    }

    private static func fillHeader(_ entry: OpaquePointer?, for item: SourceEntry) {
        archive_entry_set_pathname(entry, item.relativePath)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(fixedModificationTime), 0)
        switch item.kind {
        case .directory:
            archive_entry_set_filetype(entry, UInt32(SLIPWAY_AE_IFDIR))
            archive_entry_set_perm(entry, 0o755)
        case .file(let size, let executable, _):
            archive_entry_set_filetype(entry, UInt32(SLIPWAY_AE_IFREG))
            archive_entry_set_perm(entry, executable ? 0o755 : 0o644)
            archive_entry_set_size(entry, size)
        case .symlink(let target):
            archive_entry_set_filetype(entry, UInt32(SLIPWAY_AE_IFLNK))
            archive_entry_set_perm(entry, 0o777)
            archive_entry_set_symlink(entry, target)
        }
    }

    /// Streams one file in `chunkSize` pieces. The header already promised `size` bytes, so a
    /// file that shrinks or grows meanwhile is an error rather than a silently padded entry.
    private static func copyFile(_ path: String, relativePath: String, size: Int64, buffer: UnsafeMutableRawBufferPointer,
                                 onChunk: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, message: POSIX.errorMessage()) }
        defer { close(fd) }
        var remaining = size
        while true {
            let wanted = remaining > 0 ? min(buffer.count, Int(remaining)) : 1
            let count = read(fd, buffer.baseAddress, wanted)
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, message: POSIX.errorMessage())
            }
            if remaining == 0 {
                if count > 0 { throw .fileChangedWhileReading(path: relativePath) }
                return
            }
            if count == 0 { throw .fileChangedWhileReading(path: relativePath) }
            try onChunk(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            remaining -= Int64(count)
        }
    }

    private static func readSmallTextFile(_ path: String) throws(ArchiveError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, message: POSIX.errorMessage()) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, message: POSIX.errorMessage())
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
