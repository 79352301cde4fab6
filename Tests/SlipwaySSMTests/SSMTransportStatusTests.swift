import Foundation
import SlipwayAWS
import SlipwayHost
import SlipwayProcess
import SlipwaySSM
import Testing

/// How the ssm transport turns invocation statuses into results: polling through
/// InvocationDoesNotExist and InProgress, failures, timeouts, cancellation, truncated output.
/// Against `FakeSSM` (moto produces none of these statuses; see FakeSSM).
@Suite struct SSMTransportStatusTests {
    /// Fast polls, so the tests do not wait for the production backoff.
    static let options = SSMTransportOptions(deliveryTimeoutSeconds: 600, initialPollInterval: .milliseconds(10),
                                             maxPollInterval: .milliseconds(40), marginSeconds: 60, cancelWaitSeconds: 60)

    func transport(_ fake: FakeSSM, options: SSMTransportOptions = options) throws -> SSMTransport {
        SSMTransport(instanceId: "i-0fake", ssm: SSMClient(client: try testClient(endpoint: fake.server.baseURL)),
                     staging: nil, options: options)
    }

    @Test func pollsThroughNotYetAndInProgressToSuccessAndReportsTheOutputLines() async throws {
        let fake = try FakeSSM([.error("InvocationDoesNotExist"), .error("InvocationDoesNotExist"),
                                .invocation(status: "Pending", details: "Pending", code: -1),
                                .invocation(status: "InProgress", details: "InProgress", code: -1),
                                .invocation(status: "Success", details: "Success", code: 0, stdout: "one\ntwo\n", stderr: "warn\n")])
        defer { fake.server.stop() }
        let record = RunRecord()
        let result = try await transport(fake).run("true", environment: [:], timeout: .seconds(30)) { record.line($0, $1) }
        #expect(result.succeeded)
        #expect(record.stdout == ["one", "two"])
        #expect(record.stderr == ["warn"])
        #expect(fake.polls == 5)
        // The request named exactly this instance and carried the execution timeout.
        let sent = try #require(fake.bodies("SendCommand").first)
        #expect(sent["InstanceIds"] as? [String] == ["i-0fake"])
        #expect((sent["Parameters"] as? [String: [String]])?["executionTimeout"] == ["30"])
        #expect(sent["DocumentName"] as? String == "AWS-RunShellScript")
    }

    @Test func aFailedScriptReportsItsExitStatusAndOutput() async throws {
        let fake = try FakeSSM([.invocation(status: "Failed", details: "Failed", code: 3, stdout: "doing\n", stderr: "broke\n")])
        defer { fake.server.stop() }
        let record = RunRecord()
        let result = try await transport(fake).run("exit 3", environment: [:], timeout: nil) { record.line($0, $1) }
        #expect(!result.succeeded && result.termination == .exited(3) && !result.timedOut && !result.cancelled)
        #expect(record.stderr == ["broke"])
        // No timeout given: the longest execution SSM allows.
        #expect((fake.bodies("SendCommand").first?["Parameters"] as? [String: [String]])?["executionTimeout"] == ["172800"])
    }

    @Test func failedWithoutAnExitStatusIsStillAFailure() async throws {
        let fake = try FakeSSM([.invocation(status: "Failed", details: "Failed", code: -1)])
        defer { fake.server.stop() }
        let record = RunRecord()
        let result = try await transport(fake).run("x", environment: [:], timeout: nil) { record.line($0, $1) }
        #expect(!result.succeeded && result.termination == .exited(1))
        #expect(record.stderr.contains { $0.contains("response code -1") })
    }

    @Test func anExecutionTimeoutIsATimeout() async throws {
        let fake = try FakeSSM([.invocation(status: "TimedOut", details: "ExecutionTimedOut", code: -1)])
        defer { fake.server.stop() }
        let result = try await transport(fake).run("sleep 99", environment: [:], timeout: .seconds(5)) { _, _ in }
        #expect(result.timedOut && !result.succeeded)
    }

    @Test func aCommandTheAgentNeverPickedUpIsATransportError() async throws {
        let fake = try FakeSSM([.invocation(status: "TimedOut", details: "DeliveryTimedOut", code: -1)])
        defer { fake.server.stop() }
        do {
            _ = try await transport(fake).run("true", environment: [:], timeout: nil) { _, _ in }
            Issue.record("expected a TransportError")
        } catch let error as TransportError {
            #expect(error.host == "ssm:i-0fake")
            #expect(error.message.contains("DeliveryTimedOut") && error.message.contains("agent"))
        }
    }

    @Test func truncatedOutputIsReportedAsSuch() async throws {
        let long = String(repeating: "x", count: 23_999) + "\n"
        let fake = try FakeSSM([.invocation(status: "Success", details: "Success", code: 0, stdout: long)])
        defer { fake.server.stop() }
        let record = RunRecord()
        _ = try await transport(fake).run("yes", environment: [:], timeout: nil) { record.line($0, $1) }
        #expect(record.stderr.contains { $0.contains("24000 characters") && $0.contains("stdout") })

        let short = try FakeSSM([.invocation(status: "Success", details: "Success", code: 0, stdout: "fine\n")])
        defer { short.server.stop() }
        let quiet = RunRecord()
        _ = try await transport(short).run("true", environment: [:], timeout: nil) { quiet.line($0, $1) }
        #expect(quiet.stderr.isEmpty)
    }

    @Test func cancellingTheTaskCancelsTheCommandAndWaitsForItsEnd() async throws {
        let fake = try FakeSSM([.invocation(status: "InProgress", details: "InProgress", code: -1)],
                               afterCancel: .invocation(status: "Cancelled", details: "Cancelled", code: -1))
        defer { fake.server.stop() }
        let transport = try transport(fake)
        let task = Task { try await transport.run("sleep 600", environment: [:], timeout: nil) { _, _ in } }
        // Cancel once the command is known to be running (a bounded wait; no timing asserted).
        for _ in 0..<3000 where fake.polls < 2 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = try await task.value
        #expect(result.cancelled && !result.timedOut && !result.succeeded)
        #expect(fake.wasCancelled)
        let cancel = try #require(fake.bodies("CancelCommand").first)
        #expect(cancel["CommandId"] as? String == "cmd-fake-1")
        #expect(cancel["InstanceIds"] as? [String] == ["i-0fake"])
    }

    @Test func aCommandPastEveryBoundIsCancelledAndReportedAsTimedOut() async throws {
        let fake = try FakeSSM([.invocation(status: "InProgress", details: "InProgress", code: -1)],
                               afterCancel: .invocation(status: "Cancelled", details: "Cancelled", code: -1))
        defer { fake.server.stop() }
        var options = Self.options
        options.deliveryTimeoutSeconds = 0
        options.marginSeconds = 0
        let result = try await transport(fake, options: options).run("sleep 600", environment: [:], timeout: .seconds(1)) { _, _ in }
        #expect(result.timedOut && !result.cancelled)
        #expect(fake.wasCancelled)
    }

    @Test func aCommandThatNeverEndsEvenWhenCancelledIsAnErrorNotAHang() async throws {
        let fake = try FakeSSM([.invocation(status: "InProgress", details: "InProgress", code: -1)])
        defer { fake.server.stop() }
        var options = Self.options
        options.deliveryTimeoutSeconds = 0
        options.marginSeconds = 0
        options.cancelWaitSeconds = 1
        await #expect(throws: TransportError.self) {
            _ = try await transport(fake, options: options).run("sleep 600", environment: [:], timeout: .seconds(1)) { _, _ in }
        }
    }
}
