import Foundation
import Testing

/// Scale-out: `slipway install-latest` on a new machine (a local folder standing for its `/`)
/// installs the stage's last successful revision with the full host lifecycle, after real deploys.
@Suite struct InstallLatestCLITests {
    func project(content: String) throws -> Project {
        let project = try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: app}
            store: file://store
            stages:
              - name: web
                type: ec2
                strategy: CodeDeployDefault.AllAtOnce
                with:
                  application: shop
                  deploymentGroup: web-group
                  root: hosts
                  env: {STAGE: prod}
                  hosts: [web-1]
                  hostMap:
                    i-new: {env: {PORT: "18099"}}
            """,
            "app/appspec.yml": """
            version: 0.0
            os: linux
            files:
              - source: site
                destination: /srv/site
            hooks:
              ApplicationStop:
                - location: stop.sh
                  timeout: 30
              AfterInstall:
                - location: after.sh
                  timeout: 30
            """,
            "app/site/index.html": content,
            "app/stop.sh": "#!/bin/sh\necho \"stopped $(cat \"$SLIPWAY_HOST_ROOT/srv/site/index.html\")\" >> \"$SLIPWAY_HOST_ROOT/stops\"\n",
            "app/after.sh": "#!/bin/sh\necho \"$APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_ID $STAGE ${PORT:-none}\" > \"$SLIPWAY_HOST_ROOT/after.txt\"\n",
        ])
        chmod(project.root + "/app/stop.sh", 0o755)
        chmod(project.root + "/app/after.sh", 0o755)
        return project
    }

    func lastSuccessful(_ project: Project) throws -> (revision: String, deployment: String) {
        let data = try Data(contentsOf: URL(fileURLWithPath: project.root + "/store/stages/app/web/last-successful.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (try #require(object["revision"] as? String), try #require(object["deploymentId"] as? String))
    }

    @Test func installsTheLastSuccessfulRevisionWithTheWholeLifecycle() async throws {
        let project = try project(content: "v1\n")
        defer { project.remove() }
        let machine = project.root + "/new-machine"
        let install = ["install-latest", "pipelines/app.yml", "--stage", "web", "--root", "new-machine", "--host", "i-new"]

        // Before any deployment there is nothing to catch up with; that is not an error.
        let early = try await project.run(install, environment: ["NO_COLOR": "1"])
        #expect(early.status == 0, "\(early.stdout)\n\(early.stderr)")
        #expect(early.stdout.contains("no successful deployment yet"))
        #expect(!FileManager.default.fileExists(atPath: machine + "/srv"))

        let first = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let v1 = try lastSuccessful(project)

        let installed = try await project.run(install, environment: ["NO_COLOR": "1"])
        #expect(installed.status == 0, "\(installed.stdout)\n\(installed.stderr)")
        #expect(try String(contentsOfFile: machine + "/srv/site/index.html", encoding: .utf8) == "v1\n")
        // The stage's application, group and env, the host's own env, the deployment it catches up with.
        #expect(try String(contentsOfFile: machine + "/after.txt", encoding: .utf8) == "shop web-group \(v1.deployment) prod 18099\n")
        // CodeDeploy's records on the machine, so the next deployment sees what it runs.
        let agent = machine + "/opt/codedeploy-agent/deployment-root"
        let folder = try String(contentsOfFile: agent + "/deployment-instructions/dg-web-group_last_successful_install", encoding: .utf8)
        #expect(folder == agent + "/dg-web-group/\(v1.deployment)")
        #expect(try String(contentsOfFile: folder + "/slipway-revision", encoding: .utf8) == v1.revision + "\n")
        #expect(FileManager.default.fileExists(atPath: folder + "/logs/scripts.log"))
        // No deployment is recorded by an install.
        let history = try await project.run(["history", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(history.stdout.components(separatedBy: "\n").filter { $0.contains(" succeeded") }.count == 1, "\(history.stdout)")

        // v2 is deployed; the machine catches up again: ApplicationStop runs v1's script first.
        try "v2\n".write(toFile: project.root + "/app/site/index.html", atomically: true, encoding: .utf8)
        let second = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let v2 = try lastSuccessful(project)
        #expect(v2.revision != v1.revision)
        let again = try await project.run(install, environment: ["NO_COLOR": "1"])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(try String(contentsOfFile: machine + "/srv/site/index.html", encoding: .utf8) == "v2\n")
        #expect(try String(contentsOfFile: machine + "/stops", encoding: .utf8) == "stopped v1\n")
        #expect(try String(contentsOfFile: machine + "/after.txt", encoding: .utf8) == "shop web-group \(v2.deployment) prod 18099\n")
    }

    @Test func aStageThatIsNotInPlaceIsRefused() async throws {
        let project = try project(content: "v1\n")
        defer { project.remove() }
        let result = try await project.run(["install-latest", "pipelines/app.yml", "--stage", "nope", "--root", "x"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("has no stage nope"))
    }
}
