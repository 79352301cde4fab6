import Foundation

/// A function's configuration as GetFunctionConfiguration (and the write calls) return it:
/// only the fields deployments read.
public struct LambdaFunctionConfiguration: Sendable, Equatable, Decodable {
    public var functionName: String
    public var functionArn: String?
    /// `$LATEST` or a published version number.
    public var version: String
    /// Base64 SHA-256 of the deployment package (what `PublishVersion`'s guard compares).
    public var codeSha256: String
    public var codeSize: Int?
    /// `Pending`, `Active`, `Inactive`, `Failed`; absent on old functions and some emulators.
    public var state: String?
    public var stateReason: String?
    /// `InProgress`, `Successful`, `Failed`; absent before the first update.
    public var lastUpdateStatus: String?
    public var lastUpdateStatusReason: String?
    public var description: String?

    public init(functionName: String, functionArn: String? = nil, version: String, codeSha256: String, codeSize: Int? = nil,
                state: String? = nil, stateReason: String? = nil, lastUpdateStatus: String? = nil,
                lastUpdateStatusReason: String? = nil, description: String? = nil) {
        self.functionName = functionName
        self.functionArn = functionArn
        self.version = version
        self.codeSha256 = codeSha256
        self.codeSize = codeSize
        self.state = state
        self.stateReason = stateReason
        self.lastUpdateStatus = lastUpdateStatus
        self.lastUpdateStatusReason = lastUpdateStatusReason
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case functionName = "FunctionName", functionArn = "FunctionArn", version = "Version", codeSha256 = "CodeSha256"
        case codeSize = "CodeSize", state = "State", stateReason = "StateReason", lastUpdateStatus = "LastUpdateStatus"
        case lastUpdateStatusReason = "LastUpdateStatusReason", description = "Description"
    }
}

/// An alias: the version it points at and, while traffic is shifted, the extra version and
/// the share of invocations (0…1) it receives.
public struct LambdaAlias: Sendable, Equatable, Decodable {
    public var name: String
    public var functionVersion: String
    /// Version → weight (0.0…1.0). Empty when all traffic goes to `functionVersion`.
    public var additionalVersionWeights: [String: Double]
    public var revisionId: String?

    public init(name: String, functionVersion: String, additionalVersionWeights: [String: Double] = [:], revisionId: String? = nil) {
        self.name = name
        self.functionVersion = functionVersion
        self.additionalVersionWeights = additionalVersionWeights
        self.revisionId = revisionId
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", functionVersion = "FunctionVersion", routingConfig = "RoutingConfig", revisionId = "RevisionId"
    }

    struct RoutingConfig: Codable {
        var additionalVersionWeights: [String: Double]?
        enum CodingKeys: String, CodingKey { case additionalVersionWeights = "AdditionalVersionWeights" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        functionVersion = try container.decode(String.self, forKey: .functionVersion)
        additionalVersionWeights = try container.decodeIfPresent(RoutingConfig.self, forKey: .routingConfig)?.additionalVersionWeights ?? [:]
        revisionId = try container.decodeIfPresent(String.self, forKey: .revisionId)
    }
}

/// Where UpdateFunctionCode takes the new package from.
public enum LambdaCodeSource: Sendable, Equatable {
    /// The zip itself, sent in the request (base64 in JSON): Lambda's direct-upload limit applies.
    case zipFile(Data)
    /// A zip in S3, in the function's region.
    case s3(bucket: String, key: String, objectVersion: String?)
}

/// The answer of a synchronous Invoke.
public struct LambdaInvocation: Sendable, Equatable {
    /// The HTTP status (200 for RequestResponse).
    public var statusCode: Int
    /// `Handled` or `Unhandled` when the function failed; nil when it returned normally.
    public var functionError: String?
    /// The version that ran, when the service says.
    public var executedVersion: String?
    /// What the function returned (or its error document).
    public var payload: Data

    public init(statusCode: Int, functionError: String?, executedVersion: String?, payload: Data) {
        self.statusCode = statusCode
        self.functionError = functionError
        self.executedVersion = executedVersion
        self.payload = payload
    }
}

/// Lambda's limits on a deployment package (docs: Lambda quotas).
public enum LambdaLimits {
    /// A zip sent in the UpdateFunctionCode request itself.
    public static let directUploadBytes = 50 * 1024 * 1024
    /// The unzipped package, whichever way it is uploaded.
    public static let unzippedBytes = 250 * 1024 * 1024
}

/// The function update did not finish well, or did not finish in time.
public struct LambdaUpdateError: Error, Sendable, CustomStringConvertible {
    public var function: String
    public var message: String
    public var description: String { "Lambda function \(function): \(message)" }
}
