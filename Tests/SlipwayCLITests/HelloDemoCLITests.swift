import Foundation
import SlipwayTestSupport
import Testing

/// The demo end to end: `slipway run` loads the EC2 plugin (built next to the binary), deploys
/// the hello service from demo/hello/app to three local hosts on free 127.0.0.1 ports with
/// CodeDeploy's lifecycle, then rolls v2 out over it; every host is checked over HTTP.
@Suite struct HelloDemoCLITests {
    static let demoApp = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("demo/hello/app").path

    static func pipeline(ports: [UInt16]) -> String {
        let hosts = ports.enumerated().map { "        - {id: web-\($0.offset + 1), env: {PORT: \"\($0.element)\"}}" }
        return """
        name: hello
        vars:
          VERSION: v1
        env:
          GREETING_VERSION: ${{ vars.VERSION }}
        revision: {source: app, exclude: ["__pycache__/", "*.pyc"]}
        build:
          - name: stamp
            run: printf '%s\\n' "$GREETING_VERSION" > app/VERSION
        store: file://store
        stages:
          - name: local
            type: ec2
            strategy: CodeDeployDefault.OneAtATime
            with:
              application: hello
              root: hosts
              hosts:
        \(hosts.joined(separator: "\n"))
        """
    }

    func project(ports: [UInt16]) throws -> Project {
        let project = try Project(["pipelines/hello.yml": Self.pipeline(ports: ports)])
        let files = ["appspec.yml", "server.py", "hooks/start.sh", "hooks/stop.sh", "hooks/validate.sh"]
        for file in files {
            let target = project.root + "/app/" + file
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.demoApp + "/" + file, toPath: target)
        }
        return project
    }

    /// Stops the servers the hooks started, through their pid files (only ever our server.py).
    func stopServers(in project: Project) {
        for host in ["web-1", "web-2", "web-3"] {
            let pidfile = project.root + "/hosts/\(host)/var/run/hello.pid"
            guard let text = try? String(contentsOfFile: pidfile, encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  cmdline.contains("server.py") else { continue }
            kill(pid, SIGTERM)
        }
    }

    func get(_ port: UInt16) throws -> String {
        try String(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!, encoding: .utf8)
    }

    @Test func deploysThenRollsAnUpdateOutOneHostAtATime() async throws {
        let ports = (0..<3).map { _ in TestHTTPServer.unusedPort() }
        let project = try project(ports: ports)
        defer {
            stopServers(in: project)
            project.remove()
        }
        let first = try await project.run(["run", "pipelines/hello.yml"], environment: ["NO_COLOR": "1"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(try ports.map(get) == Array(repeating: "hello from v1\n", count: 3))
        #expect(!first.stdout.contains("ApplicationStop"))  // nothing to stop on a first deploy

        let second = try await project.run(["run", "pipelines/hello.yml", "--var", "VERSION=v2"], environment: ["NO_COLOR": "1"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(try ports.map(get) == Array(repeating: "hello from v2\n", count: 3))
        #expect(second.stdout.contains("[host/web-1] · ApplicationStop (scripts of the last successful revision)"))
        #expect(second.stdout.contains("[host/web-2] · 127.0.0.1:\(ports[1]) says: hello from v2"))
        // One at a time: web-1 is done before web-2 starts.
        let web1Done = try #require(second.stdout.range(of: "[host/web-1] ✓"))
        let web2Start = try #require(second.stdout.range(of: "[host/web-2] ▶"))
        #expect(web1Done.lowerBound < web2Start.lowerBound)

        // The host records the revision of its last successful install, which discover reads.
        let agentRoot = project.root + "/hosts/web-3/opt/codedeploy-agent/deployment-root"
        let lastInstall = try String(contentsOfFile: agentRoot + "/deployment-instructions/dg-local_last_successful_install", encoding: .utf8)
        let sha = try String(contentsOfFile: lastInstall + "/slipway-revision", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(sha.count == 64)
        let status = try await project.run(["status", "pipelines/hello.yml"])
        #expect(status.stdout.contains("running \(sha.prefix(12))"), "\(status.stdout)")
    }

    @Test func aFailingValidateServiceFailsTheHost() async throws {
        let ports = (0..<3).map { _ in TestHTTPServer.unusedPort() }
        let project = try project(ports: ports)
        defer {
            stopServers(in: project)
            project.remove()
        }
        // web-1's port is taken by something that answers wrongly: ValidateService must see it.
        let impostor = try TestHTTPServer { _ in .text(200, "not hello\n") }
        defer { impostor.stop() }
        let text = Self.pipeline(ports: [impostor.port] + ports.dropFirst())
        try text.write(toFile: project.root + "/pipelines/hello.yml", atomically: true, encoding: .utf8)
        let result = try await project.run(["run", "pipelines/hello.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("ValidateService: script hooks/validate.sh exited with code 1"),
                "\(result.stdout)\n\(result.stderr)")
    }
}

/// `slipway validate` on appspec files and revision bundles.
@Suite struct ValidateAppSpecCLITests {
    @Test func reportsAppSpecErrorsAndWarningsWithPositions() async throws {
        let project = try Project([
            "good/appspec.yml": "version: 0.0\nos: linux\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n",
            "bad/appspec.yml": "version: 0.0\nos: linux\nhooks:\n  DownloadBundle:\n    - location: x.sh\n",
        ])
        defer { project.remove() }
        let good = try await project.run(["validate", "good/appspec.yml"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("good/appspec.yml: ok"))
        #expect(good.stderr.contains("good/appspec.yml:3:1: warning: duplicate key \"os\""))
        let bad = try await project.run(["validate", "bad/appspec.yml"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad/appspec.yml:4:3: hooks: DownloadBundle is reserved for the agent and cannot have scripts"))
    }

    @Test func checksABundlesHookScriptsAndAcceptsTheDemo() async throws {
        let project = try Project([
            "broken/appspec.yml": "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: check.sh\n",
            "broken/other.txt": "x\n",
        ])
        defer { project.remove() }
        func tar(_ folder: String, _ name: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
            process.arguments = ["-czf", project.root + "/" + name, "-C", folder, "."]
            try process.run()
            process.waitUntilExit()
        }
        try tar(project.root + "/broken", "broken.tgz")
        let broken = try await project.run(["validate", "broken.tgz"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("broken.tgz: hooks.ValidateService: script check.sh does not exist in the revision"))

        // The demo app as its build leaves it: VERSION is written by the pipeline's build step.
        let demo = try HelloDemoCLITests().project(ports: [1, 2, 3])
        defer { demo.remove() }
        try "v1\n".write(toFile: demo.root + "/app/VERSION", atomically: true, encoding: .utf8)
        try tar(demo.root + "/app", "hello.tgz")
        let hello = try await project.run(["validate", "hello.tgz"])
        #expect(hello.status == 0, "\(hello.stderr)")
        #expect(hello.stdout.contains("hello.tgz: ok"))
    }
}
