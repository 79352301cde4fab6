import Foundation

/// The JSON Lines format of a journal. Lines are written whole and fsynced one at a time, so
/// after a crash only the last line can be incomplete, and an incomplete line has no newline.
enum JournalLines {
    struct Parsed {
        var entries: [JournalEntry]
        /// Bytes up to and including the last newline: everything after it is a torn write.
        var completeLength: Int
    }

    static func parse(_ data: Data, source: String) throws(JournalError) -> Parsed {
        let bytes = [UInt8](data)
        let completeLength = (bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        var entries: [JournalEntry] = []
        var lineNumber = 0
        for line in bytes[..<completeLength].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            lineNumber += 1
            let entry: JournalEntry
            do {
                entry = try StateJSON.decode(JournalEntry.self, from: Data(line))
            } catch {
                throw .corrupt(source: source, line: lineNumber, message: StateJSON.explain(error))
            }
            let expected = (entries.last?.seq ?? 0) + 1
            guard entry.seq == expected else {
                throw .corrupt(source: source, line: lineNumber, message: "seq \(entry.seq) where \(expected) was expected")
            }
            entries.append(entry)
        }
        return Parsed(entries: entries, completeLength: completeLength)
    }

    static func encode(_ entry: JournalEntry) throws -> Data {
        // JSONEncoder escapes newlines inside strings, so one entry is always one line.
        var line = try StateJSON.encode(entry)
        line.append(UInt8(ascii: "\n"))
        return line
    }
}
