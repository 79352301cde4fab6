import Foundation

/// Turns an error response of any protocol (and non-AWS bodies such as an emulator's HTML
/// 500 page or a proxy's text) into an `AWSError`.
enum AWSErrorParser {
    static func parse(service: String, operation: String, status: Int, headers: [String: String], body: Data) -> AWSError {
        var code: String?
        var message: String?
        var requestId = headers["x-amzn-requestid"] ?? headers["x-amz-request-id"]

        if let typeHeader = headers["x-amzn-errortype"] { code = cleanJSONType(typeHeader) }
        let trimmed = body.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
        if trimmed.first == UInt8(ascii: "{"),
           let object = try? JSONSerialization.jsonObject(with: Data(trimmed)) as? [String: Any] {
            if let type = (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String) {
                code = cleanJSONType(type)
            }
            message = (object["message"] as? String) ?? (object["Message"] as? String) ?? (object["errorMessage"] as? String)
        } else if trimmed.first == UInt8(ascii: "<"), let root = try? AWSXML.parse(Data(trimmed)),
                  let error = root.first("Error") {
            // S3: <Error><Code>; query: <ErrorResponse><Error><Code>; EC2: <Response><Errors><Error>.
            code = error["Code"] ?? code
            message = error["Message"]
            requestId = requestId ?? root.first("RequestId")?.text ?? root.first("RequestID")?.text
        }

        if code == nil || code?.isEmpty == true {
            code = statusCodeName(status)
            if message == nil {
                let excerpt = bodyExcerpt(body)
                message = excerpt.isEmpty ? "empty response body" : "unexpected response body: \(excerpt)"
            }
        }
        return AWSError(service: service, operation: operation, status: status, code: code!, message: message ?? "", requestId: requestId)
    }

    /// `aws.protocol#Code` and `Code:http://internal...` both mean `Code`.
    static func cleanJSONType(_ type: String) -> String {
        var value = Substring(type)
        if let colon = value.firstIndex(of: ":") { value = value[..<colon] }
        if let hash = value.lastIndex(of: "#") { value = value[value.index(after: hash)...] }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// Names for body-less or non-AWS error responses (HEAD has no body at all).
    static func statusCodeName(_ status: Int) -> String {
        switch status {
        case 304: return "NotModified"
        case 400: return "BadRequest"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 412: return "PreconditionFailed"
        case 429: return "TooManyRequests"
        default: return "HTTP\(status)"
        }
    }

    /// Up to 200 characters of readable text: tags stripped, whitespace folded.
    static func bodyExcerpt(_ body: Data, limit: Int = 200) -> String {
        let text = String(decoding: body.prefix(8192), as: UTF8.self)
        var plain = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true; plain.append(" ") }
            else if character == ">" { inTag = false }
            else if !inTag { plain.append(character) }
        }
        let folded = plain.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return folded.count > limit ? String(folded.prefix(limit)) + "…" : folded
    }
}
