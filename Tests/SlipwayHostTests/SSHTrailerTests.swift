import Foundation
import SlipwayProcess
@testable import SlipwayHost
import Synchronization
import Testing

/// The last run of a host's plan appends its scripts.log entries in the same ssh client (the
/// remote program asks for them on stdout once its script is over, and reads them from stdin):
/// a deployment over ssh costs no client for the log.
@Suite("ssh: scripts.log in the last run's client", .serialized)
struct SSHTrailerTests {
    let hooks = appspec("""
        hooks:
          BeforeInstall: [{location: before.sh}]
          AfterInstall: [{location: after.sh}]
          ApplicationStart: [{location: start.sh}]

        """)

    func revision(_ host: HostFixture, failing: String? = nil, daemon: Bool = false) throws -> LocalBundle {
        var files = ["appspec.yml": hooks]
        for name in ["before", "after", "start"] {
            var body = "#!/bin/sh\necho \"ran \(name) \\\\ 'quoted' $LIFECYCLE_EVENT\"\necho \"to stderr\" >&2\n"
            if daemon && name == "start" { body += "sleep 3017 &\n" }
            if name == failing { body += "exit 4\n" }
            files["\(name).sh"] = body
        }
        return try host.revision("v1", files)
    }

    /// Runs a deployment over ssh with an `ssh` that counts its invocations.
    func deploy(_ fixture: SSHTestFixture, _ host: HostFixture, _ bundle: LocalBundle,
                lingerGrace: Duration = .seconds(1)) async throws -> (clients: Int, error: HostDeploymentError?) {
        let counter = "\(fixture.folder)/ssh-invocations"
        let wrapper = "\(fixture.folder)/counting-ssh"
        try "#!/bin/sh\necho x >> '\(counter)'\nexec ssh \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let client = try SSHClient(options: SSHOptions(configFile: "\(fixture.folder)/ssh_config", connectTimeout: .seconds(20),
                                                       killGrace: .seconds(5), lingerGrace: lingerGrace, sshExecutable: wrapper))
        let layout = HostLayout.local(root: fixture.roots["web-1"]!)
        let deployment = HostDeployment(
            transport: client.transport(alias: "web-1"), layout: layout,
            identity: DeploymentIdentity(deploymentId: "d-1", applicationName: "shop", deploymentGroupName: "web",
                                         deploymentGroupId: "dg-web", bundleEnvironment: [:]))
        let spec = try AppSpecFile.load(bundle: bundle).appSpec
        let records = try await deployment.readRecords()
        try? FileManager.default.removeItem(atPath: counter)
        var failure: HostDeploymentError?
        do {
            try await deployment.deploy(bundle: bundle, appSpec: spec, records: records)
        } catch {
            failure = error
        }
        let clients = (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count ?? 0
        await client.close()
        return (clients, failure)
    }

    func log(_ fixture: SSHTestFixture) -> String {
        let path = fixture.roots["web-1"]! + "/opt/codedeploy-agent/deployment-root/dg-web/d-1/logs/scripts.log"
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func events(_ log: String) -> [String] {
        log.split(separator: "\n").compactMap { line in line.range(of: "LifecycleEvent - ").map { String(line[$0.upperBound...]) } }
    }

    @Test func theLogOfEveryHookIsWrittenByTheClientThatRanThem() async throws {
        try await SSHTestFixture.with { fixture in
            let host = try HostFixture()
            defer { host.remove() }
            let (clients, error) = try await deploy(fixture, host, try revision(host))
            #expect(error == nil)
            // The upload, the unpack, the three hooks, the install and their log: one client.
            #expect(clients == 1)
            let text = log(fixture)
            #expect(events(text) == ["BeforeInstall", "AfterInstall", "ApplicationStart"])
            #expect(text.contains("[stdout]ran start \\ 'quoted' ApplicationStart\n"))
            #expect(text.components(separatedBy: "[stderr]to stderr").count == 4)
        }
    }

    @Test func aFailingHookStillLogsEverythingUpToItInTheSameClient() async throws {
        try await SSHTestFixture.with { fixture in
            let host = try HostFixture()
            defer { host.remove() }
            let (clients, error) = try await deploy(fixture, host, try revision(host, failing: "after"))
            #expect(error?.event == .afterInstall)
            #expect(clients == 1)
            let text = log(fixture)
            #expect(events(text) == ["BeforeInstall", "AfterInstall"])
            #expect(text.contains("[stdout]ran after"))
        }
    }

    /// The daemon holds the session's output, not its stdin (the script reads /dev/null): the
    /// trailer still goes through, and the run ends after the linger grace.
    @Test func aDaemonLeftByTheLastHookDoesNotKeepTheLogOffTheHost() async throws {
        try await SSHTestFixture.with { fixture in
            let host = try HostFixture()
            defer { host.remove() }
            let (clients, error) = try await deploy(fixture, host, try revision(host, daemon: true), lingerGrace: .milliseconds(300))
            #expect(error == nil)
            #expect(clients == 1)
            #expect(events(log(fixture)) == ["BeforeInstall", "AfterInstall", "ApplicationStart"])
            _ = try? await fixture.run("web-1", "pkill -f 'sleep 3017' || true")
        }
    }

    /// A transport-level check: the text is asked for once the script is over, after its
    /// output, and appended to a file in a folder that did not exist.
    @Test func theTrailerIsAskedForAfterTheScriptsOutputAndAppended() async throws {
        try await SSHTestFixture.with { fixture in
            let path = fixture.roots["web-1"]! + "/new/folder/log.txt"
            try? FileManager.default.removeItem(atPath: path)
            let seen = Mutex<[String]>([])
            let trailer = LogTrailer(path: path) {
                let lines = seen.withLock { $0 }
                return "after \(lines.count) lines: \(lines.joined(separator: ","))\nsecond line\n"
            }
            let result = try await fixture.transport("web-1").run(
                "echo one; echo two; exit 5", environment: ["X": "1"], timeout: .seconds(60), uploading: nil, trailer: trailer
            ) { _, line in seen.withLock { $0.append(line) } }
            #expect(result.termination == .exited(5))
            #expect(trailer.wasWritten)
            #expect(seen.withLock { $0 } == ["one", "two"])
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "after 2 lines: one,two\nsecond line\n")
        }
    }

    /// When the remote cannot append (the file's folder is a file), the transport falls back to
    /// a separate append, which fails too: the trailer is reported as not written.
    @Test func aTrailerThatCannotBeWrittenIsReportedAsNotWritten() async throws {
        try await SSHTestFixture.with { fixture in
            let blocker = fixture.roots["web-1"]! + "/blocker"
            try Data("a file".utf8).write(to: URL(fileURLWithPath: blocker))
            let trailer = LogTrailer(path: blocker + "/log.txt") { "text\n" }
            let result = try await fixture.transport("web-1").run(
                "true", environment: [:], timeout: .seconds(60), uploading: nil, trailer: trailer) { _, _ in }
            #expect(result.succeeded)
            #expect(!trailer.wasWritten)
        }
    }
}
