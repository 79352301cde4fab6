import Foundation
import SlipwayAWS
import SlipwayHost
import SlipwayProcess
import SlipwaySSM
import SlipwayTestSupport
import Synchronization

/// A client for any endpoint on 127.0.0.1 with test credentials and no retry sleeps.
func testClient(endpoint: String) throws -> AWSClient {
    return try testAWSClient(endpoint: endpoint)
}

/// Everything a transport run reported.
final class RunRecord: Sendable {
    private let state = Mutex<(lines: [(ProcessOutputStream, String)], commands: [String])>(([], []))
    var lines: [(ProcessOutputStream, String)] { state.withLock { $0.lines } }
    var stdout: [String] { lines.filter { $0.0 == .stdout }.map(\.1) }
    var stderr: [String] { lines.filter { $0.0 == .stderr }.map(\.1) }
    var commandIds: [String] { state.withLock { $0.commands } }
    func line(_ stream: ProcessOutputStream, _ text: String) { state.withLock { $0.lines.append((stream, text)) } }
    func sent(_ id: String) { state.withLock { $0.commands.append(id) } }
}

/// Runs `program` with /bin/sh here, as the SSM agent would on the host; returns exit status and stdout.
func runLocally(_ program: String, environment: [String: String] = [:]) async throws -> (status: Termination, stdout: [String]) {
    let lines = Mutex<[String]>([])
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    let result = try await runProcess(ProcessSpec(arguments: ["/bin/sh", "-c", program], environment: env, timeout: .seconds(120))) { stream, line in
        if stream == .stdout { lines.withLock { $0.append(line) } }
    }
    return (result.termination, lines.withLock { $0 })
}
