/// Turns a byte stream into lines. Bytes are buffered until a newline, so a line split across
/// reads arrives whole; a line longer than `maxLineBytes` is cut into marked pieces so one
/// runaway line cannot grow memory without bound.
struct LineSplitter {
    let maxLineBytes: Int
    private var pending: [UInt8] = []

    init(maxLineBytes: Int) {
        // Room for at least one whole UTF-8 scalar per piece.
        self.maxLineBytes = max(maxLineBytes, 4)
    }

    mutating func append(_ bytes: some Collection<UInt8>, emit: (String) -> Void) {
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            pending.append(contentsOf: rest[..<newline])
            splitOverlong(emit: emit)
            emit(Self.decodeLine(pending))
            pending.removeAll(keepingCapacity: true)
            rest = rest[rest.index(after: newline)...]
        }
        pending.append(contentsOf: rest)
        splitOverlong(emit: emit)
    }

    /// Emits a last line that had no newline, if any.
    mutating func finish(emit: (String) -> Void) {
        guard !pending.isEmpty else { return }
        emit(Self.decodeLine(pending))
        pending.removeAll()
    }

    private mutating func splitOverlong(emit: (String) -> Void) {
        while pending.count > maxLineBytes {
            var cut = maxLineBytes
            // Never cut inside a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
            while cut > 0 && pending[cut] & 0xC0 == 0x80 { cut -= 1 }
            if cut == 0 { cut = maxLineBytes }
            emit(String(decoding: pending[..<cut], as: UTF8.self) + ProcessSpec.longLineMarker)
            pending.removeFirst(cut)
        }
    }

    /// Invalid UTF-8 becomes U+FFFD rather than dropping the line; a CRLF ending loses its CR.
    private static func decodeLine(_ bytes: [UInt8]) -> String {
        let body = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...]
        return String(decoding: body, as: UTF8.self)
    }
}
