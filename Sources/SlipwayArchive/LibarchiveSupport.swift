import CArchive

/// Helpers shared by the reader and writer code around libarchive's C API.
enum Libarchive {
    /// libarchive's last error for a handle; `archive_error_string` may return NULL.
    static func message(_ archive: OpaquePointer?) -> String {
        guard let archive, let text = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: text)
    }

    static func fail(_ archive: OpaquePointer?, _ operation: String) -> ArchiveError {
        .libarchive(operation: operation, message: message(archive))
    }

    /// Options must be accepted outright: libarchive answers ARCHIVE_WARN for an option it does
    /// not know, which would silently change the output.
    /// A nil `value` turns a boolean option off (libarchive's "!key").
    static func setFilterOption(_ writer: OpaquePointer, _ module: String, _ key: String,
                                _ value: String?) throws(ArchiveError) {
        guard archive_write_set_filter_option(writer, module, key, value) == ARCHIVE_OK else {
            throw .invalidOption("\(module) filter rejected \(key)=\(value ?? "off"): \(message(writer))")
        }
    }

    static func setFormatOption(_ writer: OpaquePointer, _ module: String, _ key: String,
                                _ value: String) throws(ArchiveError) {
        guard archive_write_set_format_option(writer, module, key, value) == ARCHIVE_OK else {
            throw .invalidOption("\(module) format rejected \(key)=\(value): \(message(writer))")
        }
    }
}
