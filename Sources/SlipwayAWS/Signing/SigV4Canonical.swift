/// The canonicalization rules of SigV4, one function per component of the canonical request.
enum SigV4Canonical {
    static func uri(path: String, options: SigV4Options) -> String {
        var path = path.isEmpty ? "/" : path
        if options.normalizePath { path = normalize(path) }
        if options.encodePath { path = AWSURIEncoding.encodePath(path) }
        return path
    }

    /// RFC 3986 dot-segment removal plus collapsing empty segments, keeping a trailing slash.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for part in parts {
            switch part {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(part)
            }
        }
        var result = "/" + segments.joined(separator: "/")
        let endsInDirectory = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        if endsInDirectory && !result.hasSuffix("/") { result += "/" }
        return result
    }

    /// Decodes then re-encodes every key and value so that the canonical form does not depend
    /// on how the caller encoded them, then sorts by key and value.
    static func query(_ query: String) -> String {
        queryItems(query)
            .map { (AWSURIEncoding.encode($0.0), AWSURIEncoding.encode($0.1)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    static func queryItems(_ query: String) -> [(String, String)] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = AWSURIEncoding.decode(String(parts[0]))
            let value = parts.count > 1 ? AWSURIEncoding.decode(String(parts[1])) : ""
            return (key, value)
        }
    }

    /// Lower-cased names, sorted; values trimmed with inner whitespace runs folded to one space;
    /// repeated headers joined with commas in their original order.
    static func headers(_ headers: [HTTPHeader]) -> (canonical: String, signed: String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            merged[header.name.lowercased(), default: []].append(foldWhitespace(header.value))
        }
        let names = merged.keys.sorted()
        let canonical = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    static func foldWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }
}
