import Foundation
import SlipwayTestSupport
import Testing

/// The EC2 plugin over the ssh transport: two hosts, each an ssh alias of the real sshd on
/// 127.0.0.1 with its own root folder, deployed one at a time with the CodeDeploy lifecycle,
/// then a host that fails mid-batch.
@Suite struct SSHDeployCLITests {
    func project(server: SSHTestServer, failOn: String = "none") throws -> Project {
        let hostsRoot = try makeTemporaryFolder(prefix: "slipway-ssh-hosts")
        var sshConfig = ""
        for alias in ["web-1", "web-2"] { sshConfig += server.hostBlock(alias: alias) }
        let project = try Project([
            "ssh_config": sshConfig,
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: ec2
                strategy: CodeDeployDefault.OneAtATime
                with:
                  transport: ssh
                  sshConfig: ssh_config
                  env: {FAIL_ON: \(failOn)}
                  hosts:
                    - {id: web-1, root: \(hostsRoot)/web-1}
                    - {id: web-2, root: \(hostsRoot)/web-2}
            """,
            "app/appspec.yml": """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: /srv/site
            hooks:
              AfterInstall:
                - location: after.sh
                  timeout: 30
            """,
            "app/site/index.html": "over ssh\n",
            "app/after.sh": """
            #!/bin/sh
            # Fails on the host named by FAIL_ON; elsewhere records who ran it.
            [ "$(basename "$SLIPWAY_HOST_ROOT")" = "$FAIL_ON" ] && { echo "refusing on purpose" >&2; exit 9; }
            echo "$LIFECYCLE_EVENT $DEPLOYMENT_GROUP_NAME" > "$SLIPWAY_HOST_ROOT/after.txt"
            """,
        ])
        chmod(project.root + "/app/after.sh", 0o755)
        return project.with(hostsRoot: hostsRoot)
    }

    @Test func deploysToSSHHostsAndStopsAtAFailingOne() async throws {
        let server = try SSHTestServer.start()
        defer { server.stop() }
        let good = try project(server: server)
        defer { good.remove(); try? FileManager.default.removeItem(atPath: good.hostsRoot) }
        let result = try await good.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for host in ["web-1", "web-2"] {
            #expect(try String(contentsOfFile: good.hostsRoot + "/\(host)/srv/site/index.html", encoding: .utf8) == "over ssh\n")
            #expect(try String(contentsOfFile: good.hostsRoot + "/\(host)/after.txt", encoding: .utf8) == "AfterInstall web\n")
        }

        let failing = try project(server: server, failOn: "web-1")
        defer { failing.remove(); try? FileManager.default.removeItem(atPath: failing.hostsRoot) }
        let failed = try await failing.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(failed.status == 3)
        #expect(failed.stdout.contains("refusing on purpose"))
        // OneAtATime on two hosts: web-1 failed first, so web-2 was never touched.
        #expect(!FileManager.default.fileExists(atPath: failing.hostsRoot + "/web-2/srv/site/index.html"))
    }
}

extension Project {
    var hostsRoot: String { (try? String(contentsOfFile: root + "/.hosts-root", encoding: .utf8)) ?? "" }

    func with(hostsRoot: String) -> Project {
        try? hostsRoot.write(toFile: root + "/.hosts-root", atomically: true, encoding: .utf8)
        return self
    }
}
