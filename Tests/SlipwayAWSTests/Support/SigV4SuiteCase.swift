import Foundation
@testable import SlipwayAWS

/// One folder of the SigV4 conformance suite (Fixtures/sigv4/<name>), parsed.
struct SigV4SuiteCase {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4")

    static func allNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/request.txt").path) }.sorted()
    }

    let name: String
    let request: SigV4Request
    let credentials: AWSCredentials
    let region: String
    let service: String
    let date: Date
    let expires: Int
    let normalize: Bool
    let signBody: Bool
    let omitSessionToken: Bool

    init(name: String) throws {
        self.name = name
        let folder = Self.root.appendingPathComponent(name)
        let context = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("context.json"))) as! [String: Any]
        let creds = context["credentials"] as! [String: Any]
        credentials = AWSCredentials(accessKeyId: creds["access_key_id"] as! String,
                                     secretAccessKey: creds["secret_access_key"] as! String,
                                     sessionToken: creds["token"] as? String)
        region = context["region"] as! String
        service = context["service"] as! String
        expires = context["expiration_in_seconds"] as? Int ?? 3600
        normalize = context["normalize"] as? Bool ?? true
        signBody = context["sign_body"] as? Bool ?? false
        omitSessionToken = context["omit_session_token"] as? Bool ?? false
        date = try Date.ISO8601FormatStyle().parse(context["timestamp"] as! String)
        request = try Self.parseRequest(Data(contentsOf: folder.appendingPathComponent("request.txt")))
    }

    var options: SigV4Options {
        SigV4Options(normalizePath: normalize, encodePath: true, addContentSHA256Header: signBody, signSessionToken: !omitSessionToken)
    }

    func expected(_ file: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent("\(name)/\(file)"), encoding: .utf8)
    }

    /// Parses the raw HTTP text: request line (paths may contain spaces), headers with
    /// continuation lines, blank line, body.
    static func parseRequest(_ raw: Data) throws -> SigV4Request {
        let text = String(decoding: raw, as: UTF8.self)
        let headEnd = text.range(of: "\n\n")
        let head = headEnd.map { String(text[..<$0.lowerBound]) } ?? text
        let body = headEnd.map { Data(text[$0.upperBound...].utf8) } ?? Data()
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if target.hasSuffix(" HTTP/1.1") { target.removeLast(" HTTP/1.1".count) }
        let questionMark = target.firstIndex(of: "?")
        let path = questionMark.map { String(target[..<$0]) } ?? target
        let query = questionMark.map { String(target[target.index(after: $0)...]) } ?? ""
        var headers: [HTTPHeader] = []
        for line in lines {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        return SigV4Request(method: method, path: path, query: query, headers: headers, payload: .bytes(body))
    }

    /// Query items of the first line of a `*-signed-request.txt`, decoded.
    static func signedQueryItems(_ signedRequest: String) -> [String: String] {
        let firstLine = signedRequest.prefix { $0 != "\n" }
        guard let mark = firstLine.firstIndex(of: "?") else { return [:] }
        var target = String(firstLine[firstLine.index(after: mark)...])
        if target.hasSuffix(" HTTP/1.1") { target.removeLast(" HTTP/1.1".count) }
        var items: [String: String] = [:]
        for (key, value) in SigV4Canonical.queryItems(target) { items[key] = value }
        return items
    }
}
