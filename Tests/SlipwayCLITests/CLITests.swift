import Foundation
import SlipwayTestSupport
import Testing

@Suite struct CLITests {
    static let valid = """
    name: app
    vars:
      TOKEN: {fromEnv: APP_TOKEN, secret: true}
    build:
      - name: hello
        run: echo "hello from $SLIPWAY_STEP"
      - name: leak
        run: echo "token is ${{ vars.TOKEN }}"
    stages:
      - name: web
        type: ec2
        strategy: CodeDeployDefault.HalfAtATime
        with: {hosts: [a, b, c, d, e, f, g, h, i]}
    """

    @Test func validateAcceptsValidAndReportsAllErrorsWithPositions() async throws {
        let project = try Project([
            "pipelines/good.yml": Self.valid,
            "pipelines/bad.yml": "name: bad\nstages:\n  - name: x\n    type: ec2\n    strategy: CodeDeployDefault.HalfAtATim\n    wiht: {}\n",
        ])
        defer { project.remove() }
        let result = try await project.run(["validate"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("pipelines/good.yml: ok (1 stage)"))
        #expect(result.stderr.contains("pipelines/bad.yml:5:15: stages[0].strategy: unknown deployment config \"CodeDeployDefault.HalfAtATim\" (did you mean \"CodeDeployDefault.HalfAtATime\"?)"))
        #expect(result.stderr.contains("pipelines/bad.yml:6:5: stages[0]: unknown key \"wiht\" (did you mean \"with\"?)"))
        #expect(result.stderr.contains("1 of 2 pipelines invalid"))

        let good = try await project.run(["validate", "pipelines/good.yml"])
        #expect(good.status == 0)
        // validate runs where the secret may be unset: a warning, not an error.
        #expect(good.stderr.contains("warning: vars.TOKEN: environment variable APP_TOKEN is not set here"))
    }

    @Test func validateWithNoPipelinesFails() async throws {
        let project = try Project([:])
        defer { project.remove() }
        let result = try await project.run(["validate"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no pipelines given and none found in pipelines/"))
    }

    @Test func githubActionsGetsAnnotations() async throws {
        let project = try Project(["pipelines/bad.yml": "name: bad\nbuidl: []\n"])
        defer { project.remove() }
        let result = try await project.run(["validate"], environment: ["GITHUB_ACTIONS": "true"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("::error file=pipelines/bad.yml,line=2,col=1::unknown key \"buidl\" (did you mean \"build\"?)"))
    }

    @Test func planExpandsStrategies() async throws {
        let project = try Project(["pipelines/app.yml": Self.valid])
        defer { project.remove() }
        let result = try await project.run(["plan", "pipelines/app.yml"], environment: ["APP_TOKEN": "s3cr3t-value"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("strategy: CodeDeployDefault.HalfAtATime"))
        #expect(result.stdout.contains("batch 1: 4 hosts; ≥ 5 of 9 hosts must stay healthy"))
        #expect(result.stdout.contains("succeeds when ≥ 5 of 9 hosts succeed"))
        #expect(result.stdout.contains("echo \"token is ***\""))
        #expect(!result.stdout.contains("s3cr3t-value"))
    }

    @Test func planWithoutTheSecretSetFailsClearly() async throws {
        let project = try Project(["pipelines/app.yml": Self.valid])
        defer { project.remove() }
        let result = try await project.run(["plan", "pipelines/app.yml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pipelines/app.yml:3:10: vars.TOKEN.fromEnv: environment variable APP_TOKEN is not set"))
    }

    @Test func runExecutesStepsMasksSecretsAndRefusesUnservedStages() async throws {
        let unserved = Self.valid.replacingOccurrences(of: "type: ec2", with: "type: acme-hosts")
        let project = try Project(["pipelines/app.yml": unserved])
        defer { project.remove() }
        // No plugin serves acme-hosts: refused before anything runs.
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["APP_TOKEN": "s3cr3t-value", "NO_COLOR": "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("acme-hosts"))
        #expect(!result.stdout.contains("hello from hello"))

        let buildOnly = try await project.run(["run", "pipelines/app.yml", "--build-only"], environment: ["APP_TOKEN": "s3cr3t-value", "NO_COLOR": "1"])
        #expect(buildOnly.status == 0)
        #expect(buildOnly.stdout.contains("hello from hello"))
        #expect(buildOnly.stdout.contains("token is ***"))
        #expect(!buildOnly.stdout.contains("s3cr3t-value"))
    }

    @Test func failingStepExitsTwoAndNamesTheStep() async throws {
        let project = try Project(["pipelines/app.yml": """
        name: app
        build:
          - {name: ok, run: "echo first"}
          - {name: broken, run: "echo oops >&2; exit 7"}
          - {name: never, run: "echo must-not-run"}
        """])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("oops"))
        #expect(result.stdout.contains("build step \"broken\" failed with exit code 7"))
        #expect(!result.stdout.contains("must-not-run"))
    }

    @Test func jsonOutputIsOneEventPerLine() async throws {
        let project = try Project(["pipelines/app.yml": "name: app\nbuild:\n  - {name: one, run: echo hi}\n"])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml", "--json"])
        #expect(result.status == 0)
        let events = try result.stdout.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(events.map { $0["kind"] as? String } == ["runStarted", "stepStarted", "stepOutput", "stepFinished",
                                                        "stepStarted", "stepFinished", "stepStarted", "stepFinished", "info", "runFinished"])
        #expect(events.compactMap { $0["scope"] as? String }.contains("package/app"))
        #expect(events.compactMap { $0["scope"] as? String }.contains("push/app"))
        #expect(events[2]["message"] as? String == "hi")
        #expect(events[2]["scope"] as? String == "build/one")
        #expect(events.last?["status"] as? String == "succeeded")
    }

    @Test func stepTimeoutStopsTheRun() async throws {
        let project = try Project(["pipelines/app.yml": "name: app\nbuild:\n  - {name: slow, run: sleep 30, timeout: 1s}\n"])
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml", "--build-only"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("\"slow\""))
        #expect(result.stdout.contains("timed out"))
    }

    @Test func interruptStopsTheStepAndItsChildren() async throws {
        let project = try Project(["pipelines/app.yml": """
        name: app
        build:
          - name: long
            run: sleep 300 & echo $! > child.pid; wait
        """])
        defer { project.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["run", "pipelines/app.yml", "--build-only"]
        process.currentDirectoryURL = URL(fileURLWithPath: project.root)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pidFile = project.root + "/child.pid"
        var childPID: Int32?
        for _ in 0..<600 where childPID == nil {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                childPID = pid
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let child = try #require(childPID, "the step never started")
        process.interrupt()
        #expect(await waitForExit(process) == 130)
        // The step's whole process group was stopped: the background sleep is gone too
        // (a zombie left for init to reap counts as gone).
        var alive = kill(child, 0) == 0 && !isZombie(child)
        for _ in 0..<100 where alive {
            try await Task.sleep(for: .milliseconds(50))
            alive = kill(child, 0) == 0 && !isZombie(child)
        }
        #expect(!alive)
    }

    private func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test func packagePushAndRevisions() async throws {
        let project = try Project([
            "pipelines/app.yml": "name: app\nrevision: {source: site}\nstore: file://artifacts\n",
            "site/index.html": "<h1>hi</h1>\n",
        ])
        defer { project.remove() }
        let packaged = try await project.run(["package", "pipelines/app.yml", "-o", "out.tar.gz"], environment: ["NO_COLOR": "1"])
        #expect(packaged.status == 0)
        let sha = try #require(packaged.stdout.split(separator: "\n").last?.split(separator: " ").first.map(String.init))
        #expect(sha.count == 64)
        #expect(packaged.stdout.contains("\(sha)  out.tar.gz"))

        let pushed = try await project.run(["push", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(pushed.status == 0)
        #expect(pushed.stdout.contains("revision \(sha) pushed to file://\(project.root)/artifacts/revisions/\(sha).tar.gz"))
        let again = try await project.run(["push", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("revision \(sha) already in the store, upload skipped"))

        let listed = try await project.run(["revisions", "pipelines/app.yml"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains(String(sha.prefix(12))))
    }

    @Test func packagingFailureExitsFour() async throws {
        let project = try Project(["pipelines/app.yml": "name: app\nrevision: {source: missing}\n"])
        defer { project.remove() }
        let result = try await project.run(["push", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("packaging failed"))
    }

    @Test func usageErrorsExit64() async throws {
        let project = try Project([:])
        defer { project.remove() }
        #expect(try await project.run(["run"]).status == 64)
        #expect(try await project.run(["frobnicate"]).status == 64)
        #expect(try await project.run(["plan", "x.yml", "--hosts", "0"]).status == 64)
    }

    @Test func helpDescribesExitCodes() async throws {
        let project = try Project([:])
        defer { project.remove() }
        let result = try await project.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Exit codes"))
        #expect(result.stdout.contains("validate"))
    }
}
