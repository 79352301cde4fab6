/// Everything that can go wrong while packaging, inspecting or extracting. Messages name the
/// offending entry or path so a user can act on them without a debugger.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    // Packaging
    case sourceNotDirectory(path: String)
    case symlinkEscapesSource(path: String, target: String)
    case unsupportedSourceFile(path: String, kind: String)
    case nameNotUTF8(path: String)
    case fileChangedWhileReading(path: String)
    case invalidOption(String)
    case invalidIgnoreFile(path: String, line: Int, message: String)

    // Extraction and inspection
    case entryEscapesDestination(entry: String)
    case absoluteEntryPath(entry: String)
    case symlinkEscapesDestination(entry: String, target: String)
    case entryThroughSymlink(entry: String, symlink: String)
    case hardLinkRefused(entry: String, target: String)
    case specialFileRefused(entry: String, kind: String)
    case tooManyEntries(limit: Int)
    case expandedSizeTooLarge(bytes: Int64, limit: Int64)
    case compressionRatioTooHigh(expanded: Int64, packed: Int64, maxRatio: Int)
    case destinationNotEmpty(path: String)

    // Lower layers
    case io(operation: String, path: String, message: String)
    case libarchive(operation: String, message: String)

    public var description: String {
        switch self {
        case .sourceNotDirectory(let path):
            "source \"\(path)\" is not a directory"
        case .symlinkEscapesSource(let path, let target):
            "symlink \"\(path)\" points to \"\(target)\", outside the source root"
        case .unsupportedSourceFile(let path, let kind):
            "\"\(path)\" is a \(kind); only regular files, directories and symlinks can be packaged"
        case .nameNotUTF8(let path):
            "a file name under \"\(path)\" is not valid UTF-8"
        case .fileChangedWhileReading(let path):
            "file \"\(path)\" changed size while it was being packaged"
        case .invalidOption(let message):
            "invalid archive option: \(message)"
        case .invalidIgnoreFile(let path, let line, let message):
            "\(path):\(line): \(message)"
        case .entryEscapesDestination(let entry):
            "entry \"\(entry)\" escapes the destination"
        case .absoluteEntryPath(let entry):
            "entry \"\(entry)\" has an absolute path"
        case .symlinkEscapesDestination(let entry, let target):
            "symlink entry \"\(entry)\" points to \"\(target)\", outside the destination"
        case .entryThroughSymlink(let entry, let symlink):
            "entry \"\(entry)\" would be written through the symlink \"\(symlink)\""
        case .hardLinkRefused(let entry, let target):
            "hard link entry \"\(entry)\" to \"\(target)\" refused: hard links may only point to a regular file extracted earlier"
        case .specialFileRefused(let entry, let kind):
            "entry \"\(entry)\" is a \(kind), which is never extracted"
        case .tooManyEntries(let limit):
            "archive has more than \(limit) entries"
        case .expandedSizeTooLarge(let bytes, let limit):
            "archive expands to at least \(bytes) bytes, over the limit of \(limit)"
        case .compressionRatioTooHigh(let expanded, let packed, let maxRatio):
            "archive expands to at least \(expanded) bytes from \(packed) packed bytes, over the \(maxRatio):1 ratio limit"
        case .destinationNotEmpty(let path):
            "destination \"\(path)\" exists and is not an empty directory"
        case .io(let operation, let path, let message):
            "\(operation) \"\(path)\": \(message)"
        case .libarchive(let operation, let message):
            "\(operation): \(message)"
        }
    }
}
