import Foundation

/// What `SendCommand` is asked to do: one shell script on one instance (AWS-RunShellScript).
public struct SSMShellCommand: Sendable, Equatable {
    public var instanceId: String
    /// The script, given to the document's `commands` as one element (the agent writes the
    /// elements, joined by newlines, to a file and runs it with sh).
    public var script: String
    /// `executionTimeout`: the agent kills the script after this many seconds (1…172800).
    public var executionTimeoutSeconds: Int
    /// `TimeoutSeconds`: how long the command may wait for the agent to pick it up (≥ 30).
    public var deliveryTimeoutSeconds: Int
    /// `Comment` (at most 100 characters; longer ones are cut).
    public var comment: String?

    public init(instanceId: String, script: String, executionTimeoutSeconds: Int, deliveryTimeoutSeconds: Int = 600, comment: String? = nil) {
        self.instanceId = instanceId
        self.script = script
        self.executionTimeoutSeconds = executionTimeoutSeconds
        self.deliveryTimeoutSeconds = deliveryTimeoutSeconds
        self.comment = comment
    }
}

/// One instance's result of a command (`GetCommandInvocation`).
public struct SSMInvocation: Sendable, Equatable {
    /// `Pending`, `InProgress`, `Delayed`, `Success`, `Cancelled`, `TimedOut`, `Failed`, `Cancelling`.
    public var status: String
    /// Finer than `status`: `ExecutionTimedOut`, `DeliveryTimedOut`, `Undeliverable`, `Terminated`, …
    public var statusDetails: String
    /// The script's exit status; -1 while running or when it never ran.
    public var responseCode: Int
    /// Truncated by SSM to `SSMClient.maxStandardOutput` / `maxStandardError` characters.
    public var standardOutput: String
    public var standardError: String

    public init(status: String, statusDetails: String, responseCode: Int, standardOutput: String, standardError: String) {
        self.status = status
        self.statusDetails = statusDetails
        self.responseCode = responseCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// The invocation will not change any more.
    public var isFinal: Bool { ["Success", "Cancelled", "TimedOut", "Failed"].contains(status) }
}

/// A command as `ListCommands` reports it (what was sent, read back).
public struct SSMCommandSummary: Sendable, Equatable {
    public var commandId: String
    public var documentName: String
    public var instanceIds: [String]
    public var parameters: [String: [String]]
    public var timeoutSeconds: Int?
    public var comment: String
}

/// The Systems Manager Run Command calls a transport needs (JSON 1.1 over `AWSClient`).
public struct SSMClient: Sendable {
    public let client: AWSClient
    static let targetPrefix = "AmazonSSM"
    public static let document = "AWS-RunShellScript"
    /// SSM keeps at most this many characters of a command's stdout in GetCommandInvocation
    /// (and 8,000 of stderr); the rest is only in S3 or CloudWatch output, when configured.
    public static let maxStandardOutput = 24_000
    public static let maxStandardError = 8_000

    public init(client: AWSClient) {
        self.client = client
    }

    /// Sends `command` to its instance only and returns the command id. `InstanceIds` names the
    /// one instance (the documented form for known instances) and no `Targets` are sent: moto
    /// answers `Targets` `Key=InstanceIds` with a 500 (its EC2 filter lacks that key), and
    /// without `Targets` it records the command for every instance of the region, running
    /// nothing anywhere; the invocation we poll is this instance's either way.
    public func sendCommand(_ command: SSMShellCommand) async throws -> String {
        var body: [String: Any] = [
            "DocumentName": Self.document,
            "InstanceIds": [command.instanceId],
            "Parameters": ["commands": [command.script], "executionTimeout": [String(command.executionTimeoutSeconds)]],
            "TimeoutSeconds": max(30, command.deliveryTimeoutSeconds),
        ]
        if let comment = command.comment { body["Comment"] = String(comment.prefix(100)) }
        let reply = try await call("SendCommand", body)
        guard let id = (reply["Command"] as? [String: Any])?["CommandId"] as? String else {
            throw AWSError(service: "SSM", operation: "SendCommand", status: 200, code: "MalformedResponse", message: "no Command.CommandId in the reply")
        }
        return id
    }

    /// The instance's invocation; throws `AWSError` with code `InvocationDoesNotExist` for a
    /// moment after `sendCommand` (SSM creates invocations asynchronously).
    public func invocation(commandId: String, instanceId: String) async throws -> SSMInvocation {
        let reply = try await call("GetCommandInvocation", ["CommandId": commandId, "InstanceId": instanceId])
        return SSMInvocation(status: reply["Status"] as? String ?? "",
                             statusDetails: reply["StatusDetails"] as? String ?? "",
                             responseCode: (reply["ResponseCode"] as? NSNumber)?.intValue ?? -1,
                             standardOutput: reply["StandardOutputContent"] as? String ?? "",
                             standardError: reply["StandardErrorContent"] as? String ?? "")
    }

    /// Asks the agent to stop the command on `instanceId` (it ends as `Cancelled`).
    public func cancelCommand(commandId: String, instanceId: String) async throws {
        _ = try await call("CancelCommand", ["CommandId": commandId, "InstanceIds": [instanceId]])
    }

    /// The command as SSM recorded it, or nil when unknown.
    public func command(id: String) async throws -> SSMCommandSummary? {
        let reply = try await call("ListCommands", ["CommandId": id])
        guard let command = (reply["Commands"] as? [[String: Any]])?.first else { return nil }
        return SSMCommandSummary(commandId: command["CommandId"] as? String ?? "",
                                 documentName: command["DocumentName"] as? String ?? "",
                                 instanceIds: command["InstanceIds"] as? [String] ?? [],
                                 parameters: command["Parameters"] as? [String: [String]] ?? [:],
                                 timeoutSeconds: (command["TimeoutSeconds"] as? NSNumber)?.intValue,
                                 comment: command["Comment"] as? String ?? "")
    }

    private func call(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let response = try await client.send(.json(service: .ssm, targetPrefix: Self.targetPrefix, operation: operation, body: data))
        guard !response.body.isEmpty else { return [:] }
        guard let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw AWSError(service: "SSM", operation: operation, status: response.status, code: "MalformedResponse",
                           message: "the reply is not a JSON object")
        }
        return object
    }
}
