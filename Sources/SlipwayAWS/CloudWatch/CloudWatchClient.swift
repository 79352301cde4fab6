import Foundation

/// The CloudWatch calls deployments need: read an alarm's state (gates), and set it (tests and
/// drills, like `aws cloudwatch set-alarm-state`).
public struct CloudWatchClient: Sendable {
    public let client: AWSClient
    static let version = "2010-08-01"

    public init(client: AWSClient) {
        self.client = client
    }

    public struct AlarmNotFound: Error, Sendable, CustomStringConvertible {
        public var name: String
        public var description: String { "no CloudWatch alarm named \(name)" }
    }

    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    public func alarmState(_ name: String) async throws -> String {
        let request = AWSRequest.query(service: .cloudWatch, action: "DescribeAlarms", version: Self.version,
                                       parameters: [AWSQueryItem("AlarmNames.member.1", name)])
        let root = try await client.send(request).xml()
        guard let state = root.first("StateValue")?.text else { throw AlarmNotFound(name: name) }
        return state
    }

    public func setAlarmState(_ name: String, state: String, reason: String) async throws {
        let request = AWSRequest.query(service: .cloudWatch, action: "SetAlarmState", version: Self.version, parameters: [
            AWSQueryItem("AlarmName", name), AWSQueryItem("StateValue", state), AWSQueryItem("StateReason", reason),
        ])
        _ = try await client.send(request)
    }

    /// Creates (or replaces) a simple metric alarm; used by tests and examples.
    public func putMetricAlarm(_ name: String, metric: String, namespace: String, threshold: Double) async throws {
        let request = AWSRequest.query(service: .cloudWatch, action: "PutMetricAlarm", version: Self.version, parameters: [
            AWSQueryItem("AlarmName", name), AWSQueryItem("MetricName", metric), AWSQueryItem("Namespace", namespace),
            AWSQueryItem("Statistic", "Sum"), AWSQueryItem("Period", "60"), AWSQueryItem("EvaluationPeriods", "1"),
            AWSQueryItem("Threshold", String(threshold)), AWSQueryItem("ComparisonOperator", "GreaterThanThreshold"),
        ])
        _ = try await client.send(request)
    }
}
