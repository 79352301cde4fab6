import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A tiny HTTP helper for credential endpoints: short timeouts, no retries, no signing.
/// A laptop without an instance metadata service must not wait long for it.
enum MetadataHTTP {
    struct Response {
        var status: Int
        var body: Data
    }

    static func send(_ url: URL, method: String = "GET", headers: [String: String] = [:], timeout: TimeInterval) async throws -> Response {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if method == "PUT" {
            // An explicit type stops URLSession from inventing a form content type.
            request.setValue("text/plain", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data()
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// The JSON shape both the container endpoint and IMDS return.
    static func decodeCredentials(_ body: Data, source: String) throws -> AWSCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let keyId = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw AWSConfigurationError.credentialEndpointFailed(source: source, message: "response is not a credentials document")
        }
        let expiration = (object["Expiration"] as? String).flatMap(AWSTimestamp.parseISO8601)
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: object["Token"] as? String, expiration: expiration)
    }
}
