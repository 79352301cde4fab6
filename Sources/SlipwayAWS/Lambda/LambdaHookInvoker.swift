import Foundation

/// Runs one CodeDeploy-style lifecycle hook function (Lambda and ECS deployments:
/// BeforeAllowTraffic, AfterAllowTraffic, BeforeInstall, …) and decides whether it passed.
///
/// The contract (docs/plugins/lambda.md, "Hook functions"):
/// - the function is invoked synchronously with
///   `{"DeploymentId": "<id>", "LifecycleEventHookExecutionId": "<execution id>"}`, the payload
///   CodeDeploy sends;
/// - it **passes** when the invocation reports no `FunctionError` and the function returns a
///   JSON object whose `status` (or `Status`) is the string `Succeeded`, the value a CodeDeploy
///   hook reports with PutLifecycleEventHookExecutionStatus;
/// - anything else fails: a function error, `"Failed"`, another value, no status at all, a
///   payload that is not a JSON object.
///
/// Slipway does not run CodeDeploy, so there is no PutLifecycleEventHookExecutionStatus to call:
/// the hook's verdict is its return value.
public struct LambdaHookInvoker: Sendable {
    public let lambda: LambdaClient

    public init(lambda: LambdaClient) {
        self.lambda = lambda
    }

    /// The verdict on one hook invocation.
    public struct Result: Sendable, Equatable {
        public var function: String
        public var passed: Bool
        /// Why it failed (or "Succeeded"), for the deploy log.
        public var detail: String
        public var invocation: LambdaInvocation
    }

    /// A hook that did not pass, as an error for callers that stop on the first failure.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var event: String
        public var result: Result
        public var description: String { "\(event) hook \(result.function) failed: \(result.detail)" }
    }

    /// The payload CodeDeploy sends a hook.
    public static func payload(deploymentId: String, executionId: String) -> Data {
        let object = ["DeploymentId": deploymentId, "LifecycleEventHookExecutionId": executionId]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// A stable execution id for (deployment, event, function): a hook retried after a crash
    /// sees the same id, so a hook that records its executions can tell a retry from a new run.
    /// UUID-shaped, like CodeDeploy's.
    public static func executionId(deploymentId: String, event: String, function: String) -> String {
        let hex = Array(Digests.sha256Hex("\(deploymentId)/\(event)/\(function)").prefix(32))
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }
        return groups.joined(separator: "-")
    }

    /// Invokes `function` with the hook payload and judges the answer. AWS errors (no such
    /// function, no permission) are thrown; a failing hook is a result with `passed == false`.
    public func invoke(function: String, deploymentId: String, executionId: String) async throws -> Result {
        let invocation = try await lambda.invoke(function, payload: Self.payload(deploymentId: deploymentId, executionId: executionId))
        let (passed, detail) = Self.judge(invocation)
        return Result(function: function, passed: passed, detail: detail, invocation: invocation)
    }

    /// Runs the hooks of one event in order and stops at the first that does not pass.
    public func run(event: String, functions: [String], deploymentId: String) async throws {
        for function in functions {
            let executionId = Self.executionId(deploymentId: deploymentId, event: event, function: function)
            let result = try await invoke(function: function, deploymentId: deploymentId, executionId: executionId)
            if !result.passed { throw Failure(event: event, result: result) }
        }
    }

    /// The contract above, as a pure function of the invocation.
    public static func judge(_ invocation: LambdaInvocation) -> (passed: Bool, detail: String) {
        if let functionError = invocation.functionError, !functionError.isEmpty {
            return (false, "the function failed (\(functionError)): \(excerpt(invocation.payload))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: invocation.payload) as? [String: Any] else {
            return (false, "it returned \(excerpt(invocation.payload)), not a JSON object with \"status\": \"Succeeded\"")
        }
        guard let status = (object["status"] ?? object["Status"]) as? String else {
            return (false, "it returned no \"status\" (\(excerpt(invocation.payload))); a hook returns {\"status\": \"Succeeded\"} to pass")
        }
        if status == "Succeeded" { return (true, "Succeeded") }
        return (false, "it returned status \"\(status)\"")
    }

    static func excerpt(_ payload: Data) -> String {
        if payload.isEmpty { return "an empty payload" }
        let text = String(decoding: payload.prefix(300), as: UTF8.self)
        return payload.count > 300 ? text + "…" : text
    }
}
