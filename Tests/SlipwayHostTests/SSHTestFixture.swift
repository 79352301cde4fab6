import Foundation
import SlipwayTestSupport
import SlipwayProcess
@testable import SlipwayHost
import Synchronization

/// One test's world: an sshd, a temporary ssh config with one alias per host (all pointing at
/// 127.0.0.1, each host with its own root folder), and an `SSHClient` using that config.
/// Aliases listed in `unreachable` point at a port nothing listens on.
struct SSHTestFixture {
    let server: SSHTestServer
    let client: SSHClient
    let folder: String
    let roots: [String: String]

    static func with<T>(
        hosts: [String] = ["web-1"],
        unreachable: [String] = [],
        killGrace: Duration = .seconds(5),
        _ body: (SSHTestFixture) async throws -> T
    ) async throws -> T {
        // A private sshd per fixture: the transport's timeout and cancellation tests start and
        // kill remote process groups, and under the shared sshd of scripts/test the cancellation
        // test's session intermittently never started its script on a loaded machine (not
        // understood yet; see the closing note). The CLI's ssh test uses the shared one.
        let server = try SSHTestServer.start(shared: false)
        defer { server.stop() }
        let folder = try makeTemporaryFolder(prefix: "slipway-ssh-test")
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var config = ""
        var roots: [String: String] = [:]
        for alias in hosts {
            let root = "\(folder)/hosts/\(alias)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            roots[alias] = root
            config += server.hostBlock(alias: alias)
        }
        for alias in unreachable {
            config += server.hostBlock(alias: alias, port: try SSHTestServer.freePort())
        }
        try config.write(toFile: "\(folder)/ssh_config", atomically: true, encoding: .utf8)

        let client = try SSHClient(options: SSHOptions(
            configFile: "\(folder)/ssh_config", connectTimeout: .seconds(20), killGrace: killGrace))
        let fixture = SSHTestFixture(server: server, client: client, folder: folder, roots: roots)
        do {
            let value = try await body(fixture)
            await client.close()
            return value
        } catch {
            await client.close()
            throw error
        }
    }

    func transport(_ alias: String) -> SSHTransport { client.transport(alias: alias) }

    /// Runs `script` with HOST_ROOT set to the alias's root folder, collecting its lines.
    func run(_ alias: String, _ script: String, environment: [String: String] = [:],
             timeout: Duration? = nil) async throws(TransportError) -> RunOutput {
        let output = RunOutput()
        var environment = environment
        environment["HOST_ROOT"] = roots[alias] ?? "/nonexistent"
        output.result = try await transport(alias).run(script, environment: environment, timeout: timeout) { stream, line in
            output.append(stream, line)
        }
        return output
    }
}

/// Lines seen by `onLine`, per stream, and the result.
final class RunOutput: Sendable {
    private let lines = Mutex<[(ProcessOutputStream, String)]>([])
    private let storedResult = Mutex<ProcessResult?>(nil)

    var result: ProcessResult {
        get { storedResult.withLock { $0! } }
        set { storedResult.withLock { $0 = newValue } }
    }

    func append(_ stream: ProcessOutputStream, _ line: String) { lines.withLock { $0.append((stream, line)) } }
    var stdout: [String] { lines.withLock { $0.filter { $0.0 == .stdout }.map(\.1) } }
    var stderr: [String] { lines.withLock { $0.filter { $0.0 == .stderr }.map(\.1) } }
}

/// Local processes whose command line is exactly `arguments`: the test sshd runs on this
/// machine, so "is the remote process gone" can be checked here.
func livePIDs(withArguments arguments: [String]) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { entry in
        guard entry.first?.isNumber == true,
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { return false }
        let parts = data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        // State field after the command name: zombies are dead already.
        let state = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ").first
        return parts == arguments && state != "Z"
    }
}

/// Polls `condition` for up to `limit`: for effects that land shortly after an event (a KILL
/// being delivered). Never used to assert how long something took.
func eventually(within limit: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return condition()
}
