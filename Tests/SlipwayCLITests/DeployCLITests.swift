import Foundation
import SlipwayTestSupport
import Testing

/// Whole runs through real processes: `slipway run` loads the test plugin (built next to the
/// binary) over the C ABI, deploys folders standing in for hosts, and records state in a local store.
@Suite struct DeployCLITests {
    static func pipeline(extraWith: String = "", strategy: String = "CodeDeployDefault.OneAtATime") -> String {
        """
        name: app
        vars:
          FAIL: {value: none}
        revision: {source: site}
        store: file://store
        stages:
          - name: web
            type: test-fleet
            strategy: \(strategy)
            with:
              root: hosts
              failHosts: [h2]
              failRevision: ${{ vars.FAIL }}
        \(extraWith)
        """
    }

    func project(_ text: String = pipeline()) throws -> Project {
        let project = try Project(["pipelines/app.yml": text, "site/index.html": "v1\n"])
        for host in ["h1", "h2", "h3"] {
            try FileManager.default.createDirectory(atPath: project.root + "/hosts/" + host, withIntermediateDirectories: true)
        }
        return project
    }

    func revision(of host: String, in project: Project) -> String? {
        (try? String(contentsOfFile: project.root + "/hosts/\(host)/REVISION", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func runDeploysEveryHostAndRecordsTheDeployment() async throws {
        let project = try project()
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let sha = try #require(revision(of: "h1", in: project))
        #expect(sha.count == 64)
        #expect(revision(of: "h2", in: project) == sha && revision(of: "h3", in: project) == sha)
        #expect(result.stdout.contains("[host/h1]"))

        let history = try await project.run(["history", "pipelines/app.yml"])
        #expect(history.status == 0)
        #expect(history.stdout.contains("web  succeeded  \(sha.prefix(12))"))
        let status = try await project.run(["status", "pipelines/app.yml"])
        #expect(status.stdout.contains("web: last d-"))
        #expect(status.stdout.contains("running \(sha.prefix(12))"))
    }

    @Test func aFailedHostRollsBackToTheLastGoodRevision() async throws {
        let project = try project()
        defer { project.remove() }
        #expect(try await project.run(["run", "pipelines/app.yml"]).status == 0)
        let good = try #require(revision(of: "h1", in: project))
        try "v2\n".write(toFile: project.root + "/site/index.html", atomically: true, encoding: .utf8)
        let packaged = try await project.run(["package", "pipelines/app.yml"])
        // The last line is "<sha256>  <path>".
        let bad = try #require(packaged.stdout.split(separator: "\n").last?.split(separator: " ").first.map(String.init))

        let result = try await project.run(["run", "pipelines/app.yml", "--var", "FAIL=\(bad)"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("rolledBack"))
        // h1 got v2 and was rolled back; h2 failed and was rolled back; h3 was never touched.
        #expect(revision(of: "h1", in: project) == good)
        #expect(revision(of: "h2", in: project) == good)
        #expect(revision(of: "h3", in: project) == good)
        let history = try await project.run(["history", "pipelines/app.yml"])
        #expect(history.stdout.contains("rolledBack  \(bad.prefix(12))"))
    }

    @Test func aSecondRunnerSeesTheLockHolderOrWaits() async throws {
        let project = try project(Self.pipeline().replacingOccurrences(of: "failRevision: ${{ vars.FAIL }}", with: "")
            .replacingOccurrences(of: "failHosts: [h2]", with: "failHosts: []"))
        defer { project.remove() }
        // The first runner holds the stage's lock while h1 is held (the test plugin's HOLD file).
        let hold = project.root + "/hosts/h1/HOLD"
        try "".write(toFile: hold, atomically: true, encoding: .utf8)
        let first = Process()
        first.executableURL = URL(fileURLWithPath: CLI.binary)
        first.arguments = ["run", "pipelines/app.yml"]
        first.currentDirectoryURL = URL(fileURLWithPath: project.root)
        first.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": project.root]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { first.terminate() } }
        var locked = false
        for _ in 0..<6000 where !locked {
            locked = FileManager.default.fileExists(atPath: project.root + "/store/locks/app/web.json")
            if !locked { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(locked)
        let second = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(second.status == 5)
        #expect(second.stdout.contains("stage web is locked by"))
        #expect(second.stdout.contains("for deployment d-"))
        // A runner that may wait gets the stage once the first one finishes.
        async let waiting = project.run(["run", "pipelines/app.yml", "--lock-wait", "5m"], environment: ["NO_COLOR": "1"])
        try FileManager.default.removeItem(atPath: hold)
        #expect(await waitForExit(first) == 0)
        let waited = try await waiting
        #expect(waited.status == 0, "\(waited.stdout)")
    }

    @Test func dryRunChangesNothing() async throws {
        let project = try project()
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml", "--dry-run"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("3 hosts: h1, h2, h3"))
        #expect(result.stdout.contains("write "))
        #expect(revision(of: "h1", in: project) == nil)
        #expect(!FileManager.default.fileExists(atPath: project.root + "/store/revisions"))
    }

    @Test func settingsTheSchemaRefusesAreReportedAtTheirPosition() async throws {
        let project = try project(Self.pipeline().replacingOccurrences(of: "failHosts: [h2]", with: "failHost: [h2]"))
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pipelines/app.yml:12:17: stages[0].with.failHost: unknown key \"failHost\" (did you mean \"failHosts\"?)"))
        #expect(!FileManager.default.fileExists(atPath: project.root + "/store"))
    }

    @Test func anUnknownTargetTypeFailsBeforeTheBuild() async throws {
        let project = try Project(["pipelines/app.yml": "name: app\nbuild: [{run: touch built}]\nstages:\n  - {name: web, type: nosuch}\n"])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pipelines/app.yml:4:5: stages[0].type:"))
        #expect(result.stderr.contains("nosuch"))
        #expect(!FileManager.default.fileExists(atPath: project.root + "/built"))
    }

    @Test func thePluginsCommandListsTheTestPlugin() async throws {
        let project = try Project([:])
        defer { project.remove() }
        let result = try await project.run(["plugins"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("test-fleet (fleet)"))
        #expect(result.stdout.contains("test-traffic (traffic)"))
    }
}
