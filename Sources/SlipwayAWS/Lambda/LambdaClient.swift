import Foundation

/// The Lambda calls a deployment needs (rest-json protocol, API version 2015-03-31): read a
/// function, replace its code and wait for the update, publish versions, move an alias's
/// traffic, invoke (hooks). Errors are `AWSError`s with Lambda's codes
/// (`ResourceNotFoundException`, `PreconditionFailedException`, …).
public struct LambdaClient: Sendable {
    public let client: AWSClient
    static let apiVersion = "2015-03-31"

    public init(client: AWSClient) {
        self.client = client
    }

    // MARK: Functions

    /// `$LATEST`'s configuration, or that of a version or alias given as `qualifier`.
    public func functionConfiguration(_ function: String, qualifier: String? = nil) async throws -> LambdaFunctionConfiguration {
        let response = try await send("GetFunctionConfiguration", "GET", functionPath(function) + "/configuration",
                                      query: qualifier.map { [AWSQueryItem("Qualifier", $0)] } ?? [])
        return try decode(LambdaFunctionConfiguration.self, response, "GetFunctionConfiguration")
    }

    /// GetFunction: the configuration part (the code location is a presigned URL we never need).
    public func function(_ function: String, qualifier: String? = nil) async throws -> LambdaFunctionConfiguration {
        struct Envelope: Decodable {
            var configuration: LambdaFunctionConfiguration
            enum CodingKeys: String, CodingKey { case configuration = "Configuration" }
        }
        let response = try await send("GetFunction", "GET", functionPath(function),
                                      query: qualifier.map { [AWSQueryItem("Qualifier", $0)] } ?? [])
        return try decode(Envelope.self, response, "GetFunction").configuration
    }

    /// Nil when the function does not exist.
    public func functionIfExists(_ function: String) async throws -> LambdaFunctionConfiguration? {
        do {
            return try await functionConfiguration(function)
        } catch let error as AWSError where Self.isNotFound(error) {
            return nil
        }
    }

    /// Replaces `$LATEST`'s code. The update runs asynchronously in AWS: call
    /// `waitForUpdate` before publishing.
    public func updateFunctionCode(_ function: String, source: LambdaCodeSource) async throws -> LambdaFunctionConfiguration {
        var body: [String: Any] = ["Publish": false]
        switch source {
        case .zipFile(let data):
            body["ZipFile"] = data.base64EncodedString()
        case .s3(let bucket, let key, let objectVersion):
            body["S3Bucket"] = bucket
            body["S3Key"] = key
            if let objectVersion { body["S3ObjectVersion"] = objectVersion }
        }
        let response = try await send("UpdateFunctionCode", "PUT", functionPath(function) + "/code", json: body)
        return try decode(LambdaFunctionConfiguration.self, response, "UpdateFunctionCode")
    }

    /// Polls until the function is no longer `Pending` and its last update no longer
    /// `InProgress`; a `Failed` state or update is an error carrying Lambda's reason.
    public func waitForUpdate(_ function: String, timeout: Duration = .seconds(300), interval: Duration = .seconds(1)) async throws -> LambdaFunctionConfiguration {
        let deadline = ContinuousClock.now + timeout
        while true {
            let configuration = try await functionConfiguration(function)
            if configuration.lastUpdateStatus == "Failed" {
                throw LambdaUpdateError(function: function, message: "the code update failed: \(configuration.lastUpdateStatusReason ?? "no reason given")")
            }
            if configuration.state == "Failed" {
                throw LambdaUpdateError(function: function, message: "the function is in state Failed: \(configuration.stateReason ?? "no reason given")")
            }
            if configuration.lastUpdateStatus != "InProgress" && configuration.state != "Pending" { return configuration }
            guard ContinuousClock.now < deadline else {
                throw LambdaUpdateError(function: function, message: "the code update was still in progress after \(timeout)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Publishes `$LATEST` as a new version. With `codeSha256`, Lambda refuses
    /// (`PreconditionFailedException`) when `$LATEST` holds other code, so a concurrent update
    /// can never be published under our name.
    public func publishVersion(_ function: String, codeSha256: String?, description: String? = nil) async throws -> LambdaFunctionConfiguration {
        var body: [String: Any] = [:]
        if let codeSha256 { body["CodeSha256"] = codeSha256 }
        if let description { body["Description"] = description }
        let response = try await send("PublishVersion", "POST", functionPath(function) + "/versions", json: body)
        return try decode(LambdaFunctionConfiguration.self, response, "PublishVersion")
    }

    /// Every version (`$LATEST` included), following `NextMarker` to the last page.
    public func versions(_ function: String) async throws -> [LambdaFunctionConfiguration] {
        struct Page: Decodable {
            var versions: [LambdaFunctionConfiguration]?
            var nextMarker: String?
            enum CodingKeys: String, CodingKey { case versions = "Versions", nextMarker = "NextMarker" }
        }
        var found: [LambdaFunctionConfiguration] = []
        var marker: String?
        repeat {
            var query = [AWSQueryItem("MaxItems", "50")]
            if let marker { query.append(AWSQueryItem("Marker", marker)) }
            let response = try await send("ListVersionsByFunction", "GET", functionPath(function) + "/versions", query: query)
            let page = try decode(Page.self, response, "ListVersionsByFunction")
            found += page.versions ?? []
            marker = page.nextMarker.flatMap { $0.isEmpty ? nil : $0 }
        } while marker != nil
        return found
    }

    // MARK: Aliases

    public func alias(_ function: String, name: String) async throws -> LambdaAlias {
        let response = try await send("GetAlias", "GET", functionPath(function) + "/aliases/" + name)
        return try decode(LambdaAlias.self, response, "GetAlias")
    }

    /// Nil when the alias does not exist.
    public func aliasIfExists(_ function: String, name: String) async throws -> LambdaAlias? {
        do {
            return try await alias(function, name: name)
        } catch let error as AWSError where Self.isNotFound(error) {
            return nil
        }
    }

    public func createAlias(_ function: String, name: String, version: String, weights: [String: Double] = [:]) async throws -> LambdaAlias {
        var body: [String: Any] = ["Name": name, "FunctionVersion": version]
        if !weights.isEmpty { body["RoutingConfig"] = ["AdditionalVersionWeights": weights] }
        let response = try await send("CreateAlias", "POST", functionPath(function) + "/aliases", json: body)
        return try decode(LambdaAlias.self, response, "CreateAlias")
    }

    /// Points the alias at `version` and sets its routing. An empty `weights` clears the
    /// routing (all traffic on `version`): the RoutingConfig is always sent, because leaving it
    /// out keeps the old weights.
    public func updateAlias(_ function: String, name: String, version: String, weights: [String: Double],
                            revisionId: String? = nil) async throws -> LambdaAlias {
        var body: [String: Any] = ["FunctionVersion": version, "RoutingConfig": ["AdditionalVersionWeights": weights]]
        if let revisionId { body["RevisionId"] = revisionId }
        let response = try await send("UpdateAlias", "PUT", functionPath(function) + "/aliases/" + name, json: body)
        return try decode(LambdaAlias.self, response, "UpdateAlias")
    }

    // MARK: Invoking

    /// A synchronous (RequestResponse) invocation. A function that fails is not an error here:
    /// it is reported in `functionError` with its error document as the payload.
    public func invoke(_ function: String, qualifier: String? = nil, payload: Data) async throws -> LambdaInvocation {
        var request = AWSRequest(service: .lambda, operation: "Invoke", method: "POST",
                                 path: functionPath(function) + "/invocations",
                                 query: qualifier.map { [AWSQueryItem("Qualifier", $0)] } ?? [],
                                 headers: [HTTPHeader("X-Amz-Invocation-Type", "RequestResponse")],
                                 body: .data(payload, contentType: "application/json"))
        request.payloadSigning = .signed
        let response = try await client.send(request)
        return LambdaInvocation(statusCode: response.status, functionError: response[header: "x-amz-function-error"],
                                executedVersion: response[header: "x-amz-executed-version"], payload: response.body)
    }

    // MARK: Creating (tests, examples)

    /// CreateFunction from a zip; used by tests and demos (deployments only update functions).
    public func createFunction(_ function: String, runtime: String, role: String, handler: String, zip: Data) async throws -> LambdaFunctionConfiguration {
        let body: [String: Any] = ["FunctionName": function, "Runtime": runtime, "Role": role, "Handler": handler,
                                   "Code": ["ZipFile": zip.base64EncodedString()], "Publish": false]
        let response = try await send("CreateFunction", "POST", "/\(Self.apiVersion)/functions", json: body)
        return try decode(LambdaFunctionConfiguration.self, response, "CreateFunction")
    }

    // MARK: Helpers

    /// Lambda's `CodeSha256` (base64) of a package whose SHA-256 is `hex`: a revision's name is
    /// the SHA-256 of its archive, so a zip revision's CodeSha256 is known before any upload.
    public static func codeSha256(hex: String) -> String? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }

    /// The function, version or alias does not exist.
    public static func isNotFound(_ error: AWSError) -> Bool {
        error.code == "ResourceNotFoundException" || error.status == 404
    }

    func functionPath(_ function: String) -> String {
        "/\(Self.apiVersion)/functions/\(function)"
    }

    private func send(_ operation: String, _ method: String, _ path: String, query: [AWSQueryItem] = [],
                      json: [String: Any]? = nil) async throws -> AWSResponse {
        var body = AWSRequestBody.empty
        if let json {
            body = .data(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), contentType: "application/json")
        }
        return try await client.send(AWSRequest(service: .lambda, operation: operation, method: method, path: path, query: query, body: body))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: AWSResponse, _ operation: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            let excerpt = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw AWSError(service: "Lambda", operation: operation, status: response.status, code: "InvalidResponse",
                           message: "unexpected response body: \(excerpt)")
        }
    }
}

