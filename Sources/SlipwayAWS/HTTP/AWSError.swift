/// An error response from an AWS (or AWS-compatible) endpoint.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var service: String
    public var operation: String
    public var status: Int
    /// The AWS error code (`NoSuchKey`, `ThrottlingException`); for bodies that are not AWS
    /// error documents, `HTTP<status>` (or a status-derived name such as `NotFound`).
    public var code: String
    public var message: String
    public var requestId: String?

    public init(service: String, operation: String, status: Int, code: String, message: String, requestId: String? = nil) {
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    public var description: String {
        var text = "\(service) \(operation) failed: HTTP \(status) \(code)"
        if !message.isEmpty { text += ": \(message)" }
        if let requestId { text += " (request id \(requestId))" }
        return text
    }

    public var isThrottling: Bool { Self.throttlingCodes.contains(code) || status == 429 }

    /// Codes the standard retry mode treats as throttling.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Codes the standard retry mode treats as transient whatever the status.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
    ]
}

/// The request never got an HTTP response (connection refused, reset, timed out), after retries.
public struct AWSConnectionError: Error, Sendable, CustomStringConvertible {
    public var service: String
    public var operation: String
    public var url: String
    public var attempts: Int
    public var underlying: String

    public var description: String {
        "\(service) \(operation) could not reach \(url) after \(attempts) attempt(s): \(underlying)"
    }
}
