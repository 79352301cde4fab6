import Foundation
import Testing
import SlipwayAWS
import SlipwayTestSupport

/// Killed runners, rollbacks, foreign bundles, traffic with alarms, and the C plugin: all through
/// the real binary.
@Suite struct RecoveryCLITests {
    func fleetProject() throws -> Project {
        let project = try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: site}
            store: file://store
            stages:
              - name: web
                type: test-fleet
                strategy: CodeDeployDefault.OneAtATime
                with: {root: hosts}
            """,
            "site/index.html": "v1\n",
        ])
        for host in ["h1", "h2", "h3"] {
            try FileManager.default.createDirectory(atPath: project.root + "/hosts/" + host, withIntermediateDirectories: true)
        }
        return project
    }

    func revision(of host: String, in project: Project) -> String? {
        (try? String(contentsOfFile: project.root + "/hosts/\(host)/REVISION", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func start(_ arguments: [String], in project: Project) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: project.root)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": project.root]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Makes `host` wait in deployHost until `release(_:in:)` (the test plugin's HOLD file).
    func hold(_ host: String, in project: Project) throws {
        try "".write(toFile: project.root + "/hosts/\(host)/HOLD", atomically: true, encoding: .utf8)
    }

    func release(_ host: String, in project: Project) throws {
        try FileManager.default.removeItem(atPath: project.root + "/hosts/\(host)/HOLD")
    }

    @Test func aRunnerKilledMidRolloutIsResumedToTheEnd() async throws {
        let project = try fleetProject()
        defer { project.remove() }
        try hold("h2", in: project)
        let runner = try start(["run", "pipelines/app.yml"], in: project)
        // Kill it (SIGKILL: no cleanup at all) once the first host is done and the second is held.
        for _ in 0..<6000 where revision(of: "h1", in: project) == nil { try await Task.sleep(for: .milliseconds(20)) }
        kill(runner.processIdentifier, SIGKILL)
        _ = await waitForExit(runner)
        try release("h2", in: project)
        let sha = try #require(revision(of: "h1", in: project))
        #expect(revision(of: "h3", in: project) == nil)

        let history = try await project.run(["history", "pipelines/app.yml"])
        let line = try #require(history.stdout.split(separator: "\n").first { $0.contains("inProgress") })
        let id = String(line.prefix { $0 != " " })
        // The dead runner's lock is still there; a new run is refused while it lasts.
        #expect(try await project.run(["run", "pipelines/app.yml"]).status == 5)

        let resumed = try await project.run(["resume", "pipelines/app.yml", id], environment: ["NO_COLOR": "1"])
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming \(id): 1 host(s) done"))
        #expect(revision(of: "h2", in: project) == sha && revision(of: "h3", in: project) == sha)
        let status = try await project.run(["status", "pipelines/app.yml", id])
        #expect(status.stdout.contains("\(id): stage web, succeeded"))
        // The lock was released: the stage is free again.
        #expect(try await project.run(["lock", "status", "pipelines/app.yml"]).stdout.contains("no stage of app is locked"))
    }

    @Test func aKilledRunnerCanBeRolledBackInstead() async throws {
        let project = try fleetProject()
        defer { project.remove() }
        #expect(try await project.run(["run", "pipelines/app.yml"]).status == 0)
        let good = try #require(revision(of: "h1", in: project))
        try "v2\n".write(toFile: project.root + "/site/index.html", atomically: true, encoding: .utf8)
        try hold("h2", in: project)
        let runner = try start(["run", "pipelines/app.yml"], in: project)
        for _ in 0..<6000 where revision(of: "h1", in: project) == good { try await Task.sleep(for: .milliseconds(20)) }
        kill(runner.processIdentifier, SIGKILL)
        _ = await waitForExit(runner)
        try release("h2", in: project)
        #expect(revision(of: "h1", in: project) != good)
        let line = try #require(try await project.run(["history", "pipelines/app.yml"]).stdout.split(separator: "\n").first { $0.contains("inProgress") })
        let id = String(line.prefix { $0 != " " })
        let rolledBack = try await project.run(["resume", "pipelines/app.yml", id, "--rollback"], environment: ["NO_COLOR": "1"])
        #expect(rolledBack.status == 3)
        #expect(rolledBack.stdout.contains("rolledBack"))
        #expect(revision(of: "h1", in: project) == good)
        #expect(revision(of: "h2", in: project) == good)
    }

    @Test func rollbackRedeploysThePreviousGoodRevision() async throws {
        let project = try fleetProject()
        defer { project.remove() }
        #expect(try await project.run(["run", "pipelines/app.yml"]).status == 0)
        let first = try #require(revision(of: "h1", in: project))
        try "v2\n".write(toFile: project.root + "/site/index.html", atomically: true, encoding: .utf8)
        #expect(try await project.run(["run", "pipelines/app.yml"]).status == 0)
        #expect(revision(of: "h1", in: project) != first)
        let result = try await project.run(["rollback", "pipelines/app.yml", "--stage", "web"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(revision(of: "h1", in: project) == first && revision(of: "h3", in: project) == first)
        let latest = try #require(try await project.run(["history", "pipelines/app.yml"]).stdout.split(separator: "\n").first)
        #expect(latest.contains("web  succeeded  \(first.prefix(12))"))
        #expect(latest.contains("rollback of d-"))
    }

    @Test func aForeignBundleIsCheckedThenDeployed() async throws {
        let project = try fleetProject()
        defer { project.remove() }
        // A bundle made elsewhere (tar czf, as CodeDeploy users make them).
        try FileManager.default.createDirectory(atPath: project.root + "/bundle", withIntermediateDirectories: true)
        try "hello\n".write(toFile: project.root + "/bundle/index.html", atomically: true, encoding: .utf8)
        #expect(shell("tar czf bundle.tar.gz -C bundle .", in: project.root) == 0)
        let result = try await project.run(["deploy", "pipelines/app.yml", "--stage", "web", "--revision", "bundle.tar.gz"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let sha = try #require(revision(of: "h2", in: project))
        #expect(FileManager.default.fileExists(atPath: project.root + "/store/revisions/\(sha).tar.gz"))

        // One that writes outside its folder is refused before anything is deployed.
        #expect(shell("ln -s /etc evil && tar czf evil.tar.gz evil && echo x > note && tar czf dotdot.tar.gz --transform 's,^,../,' note", in: project.root) == 0)
        for bad in ["evil.tar.gz", "dotdot.tar.gz"] {
            let refused = try await project.run(["deploy", "pipelines/app.yml", "--stage", "web", "--revision", bad])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("\(bad) refused"))
        }
        #expect(revision(of: "h2", in: project) == sha)
    }

    @Test func theCPluginRunsARealRollout() async throws {
        let project = try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: site}
            store: file://store
            stages:
              - name: dirs
                type: dirhost
                with: {root: hosts, hosts: [a, b]}
            """,
            "site/index.html": "from C\n",
        ])
        defer { project.remove() }
        let pluginDirectory = project.root + "/plugins"
        try FileManager.default.createDirectory(atPath: pluginDirectory, withIntermediateDirectories: true)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        #expect(shell("make -s -C '\(repo)/examples/plugins/dirhost' OUT='\(pluginDirectory)/libslipway-dirhost.so'", in: project.root) == 0)
        let result = try await project.run(["run", "pipelines/app.yml", "--plugin-path", pluginDirectory], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for host in ["a", "b"] {
            let page = try String(contentsOfFile: project.root + "/hosts/\(host)/current/index.html", encoding: .utf8)
            #expect(page == "from C\n")
        }
    }

    @Test func aCanaryWhoseAlarmFiresIsRolledBack() async throws {
        let endpoint = try await SharedMoto.endpoint()
        let alarm = "HighErrors-\(UUID().uuidString.prefix(8))"
        let environment = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
                                                     "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"], homeDirectory: "/nonexistent")
        let cloudWatch = CloudWatchClient(client: try AWSClient.standard(environment: environment))
        try await cloudWatch.putMetricAlarm(alarm, metric: "Errors", namespace: "Slipway/Test", threshold: 1)
        let project = try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: site}
            store: file://store
            stages:
              - name: fn
                type: test-traffic
                strategy: {canary: {percent: 10, interval: 1m}}
                gates:
                  - alarm: \(alarm)
                    interval: 1s
                with: {stateFile: service.json}
            """,
            "site/index.html": "v1\n",
        ])
        defer { project.remove() }
        let cliEnvironment = ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test",
                              "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1"]
        let run = Task { try await project.run(["run", "pipelines/app.yml"], environment: cliEnvironment) }
        // Once 10% is on the candidate, the alarm fires.
        var shifted = false
        for _ in 0..<1500 where !shifted {
            let service = (try? String(contentsOfFile: project.root + "/service.json", encoding: .utf8)) ?? ""
            shifted = service.contains("setWeight 10")
            if !shifted { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(shifted)
        try await cloudWatch.setAlarmState(alarm, state: "ALARM", reason: "errors above threshold")
        let result = try await run.value
        #expect(result.status == 3)
        #expect(result.stdout.contains("gate alarm \(alarm) failed: alarm \(alarm) is in ALARM"))
        let service = try String(contentsOfFile: project.root + "/service.json", encoding: .utf8)
        #expect(service.contains("abort"))
        #expect(!service.contains("promote"))
    }
}

func shell(_ command: String, in directory: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
