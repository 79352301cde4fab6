import Foundation
import SlipwayHost
import Testing

/// Install semantics of codedeploy.md §1 and §8, run on a local host folder.
@Suite struct InstallTests {
    @Test func fileSourcesGoIntoTheDestinationAndFolderSourcesBringTheirContents() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("files:\n  - {source: config/app.conf, destination: /etc/shop}\n  - {source: web, destination: /srv/shop}\n"),
            "config/app.conf": "port=1\n", "web/index.html": "v1\n", "web/css/site.css": "body{}\n",
        ])
        try await host.deploy(bundle, id: "d-1")
        #expect(host.read("/etc/shop/app.conf") == "port=1\n")
        #expect(host.read("/srv/shop/index.html") == "v1\n")
        #expect(host.read("/srv/shop/css/site.css") == "body{}\n")
        #expect(!host.exists("/srv/shop/web"))
    }

    @Test func disallowFailsOnAFileTheDeploymentDidNotPlace() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        try host.write("/srv/shop/index.html", "hand-made\n")
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("files:\n  - {source: web, destination: /srv/shop}\n"), "web/index.html": "v1\n",
        ])
        let error = await #expect(throws: HostDeploymentError.self) { try await host.deploy(bundle, id: "d-1") }
        #expect(error?.event == .install)
        #expect(error?.message.contains("already exists at this location: /srv/shop/index.html") == true)
        #expect(host.read("/srv/shop/index.html") == "hand-made\n")
    }

    @Test func overwriteReplacesAndRetainKeeps() async throws {
        for (behavior, expected) in [("OVERWRITE", "v1\n"), ("RETAIN", "hand-made\n")] {
            let host = try HostFixture()
            defer { host.remove() }
            try host.write("/srv/shop/index.html", "hand-made\n")
            let bundle = try host.revision("v1", [
                "appspec.yml": appspec("file_exists_behavior: \(behavior)\nfiles:\n  - {source: web, destination: /srv/shop}\n"),
                "web/index.html": "v1\n", "web/new.html": "new\n",
            ])
            try await host.deploy(bundle, id: "d-1")
            #expect(host.read("/srv/shop/index.html") == expected, "\(behavior)")
            #expect(host.read("/srv/shop/new.html") == "new\n", "\(behavior)")
        }
    }

    @Test func redeployRemovesThePreviousInstallIncludingFilesNoLongerInTheRevision() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let spec = appspec("files:\n  - {source: web, destination: /srv/shop}\n")
        try await host.deploy(try host.revision("v1", ["appspec.yml": spec, "web/index.html": "v1\n", "web/old/gone.html": "old\n"]), id: "d-1")
        // A file a script (not the install) created inside an installed folder survives.
        try host.write("/srv/shop/old/runtime.log", "kept\n")
        try await host.deploy(try host.revision("v2", ["appspec.yml": spec, "web/index.html": "v2\n"]), id: "d-2")
        #expect(host.read("/srv/shop/index.html") == "v2\n")
        #expect(!host.exists("/srv/shop/old/gone.html"))
        #expect(host.read("/srv/shop/old/runtime.log") == "kept\n")
        let manifest = try #require(host.read("/opt/codedeploy-agent/deployment-root/deployment-instructions/dg-web-cleanup"))
        #expect(manifest.contains(host.hostRoot + "/srv/shop/index.html\n"))
        #expect(!manifest.contains("gone.html"))
    }

    @Test func permissionsApplyToWhatTheDeploymentPlaced() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        try host.write("/srv/shop/preexisting.sh", "x\n")
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("""
            file_exists_behavior: OVERWRITE
            files:
              - {source: web, destination: /srv/shop}
            permissions:
              - {object: /srv/shop, pattern: "*.sh", except: [keep.sh], mode: 700, type: [file]}
              - {object: /srv/shop, pattern: "**", mode: 750, type: [directory]}
            """),
            "web/run.sh": "#!/bin/sh\n", "web/keep.sh": "#!/bin/sh\n", "web/sub/deep.sh": "#!/bin/sh\n", "web/index.html": "x\n",
        ])
        try host.write("/srv/shop/untouched.sh", "x\n")
        try await host.deploy(bundle, id: "d-1")
        func mode(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: host.hostRoot + path)[.posixPermissions]) as? Int
        }
        #expect(mode("/srv/shop/run.sh") == 0o700)
        #expect(mode("/srv/shop/keep.sh") == 0o755)       // except
        #expect(mode("/srv/shop/sub/deep.sh") == 0o755)   // not an immediate child
        #expect(mode("/srv/shop/sub") == 0o750)           // directory rule, any depth
        #expect(mode("/srv/shop/untouched.sh") == 0o644)  // not placed by this deployment
    }

    @Test func twoSourcesOntoOneDestinationIsAPlanningError() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("files:\n  - {source: a/x.txt, destination: /srv}\n  - {source: b/x.txt, destination: /srv}\n"),
            "a/x.txt": "a", "b/x.txt": "b",
        ])
        let error = await #expect(throws: HostDeploymentError.self) { try await host.deploy(bundle, id: "d-1") }
        #expect(error?.message == "files: b/x.txt and a/x.txt are both copied to /srv/x.txt")
        #expect(!host.exists("/opt/codedeploy-agent/deployment-root/dg-web/d-1"))
    }

    @Test func theHostKeepsCodeDeploysLayoutAndTheNewestFiveRevisions() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let root = "/opt/codedeploy-agent/deployment-root"
        for index in 1...7 {
            let bundle = try host.revision("v\(index)", [
                "appspec.yml": appspec("hooks:\n  AfterInstall:\n    - location: hi.sh\n"), "hi.sh": "#!/bin/sh\necho hello \(index)\n",
            ])
            try await host.deploy(bundle, id: "d-\(index)")
            // mtimes order the folders; make each deployment visibly newer than the last.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(index - 10) * 60)],
                                                  ofItemAtPath: host.hostRoot + root + "/dg-web/d-\(index)")
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: host.hostRoot + root + "/dg-web").sorted()
        #expect(folders == ["d-3", "d-4", "d-5", "d-6", "d-7"])
        #expect(host.exists(root + "/dg-web/d-7/bundle.tar"))
        #expect(host.read(root + "/dg-web/d-7/deployment-archive/hi.sh") != nil)
        #expect(host.read(root + "/deployment-instructions/dg-web_last_successful_install") == host.hostRoot + root + "/dg-web/d-7")
        #expect(host.read(root + "/deployment-instructions/dg-web_most_recent_install") == host.hostRoot + root + "/dg-web/d-7")
        let log = try #require(host.read(root + "/dg-web/d-7/logs/scripts.log"))
        #expect(log.contains("LifecycleEvent - AfterInstall"))
        #expect(log.contains("Script - hi.sh"))
        #expect(log.contains("[stdout]hello 7"))
    }
}

/// A rollback inside one deployment deploys the previous revision under the same id.
@Suite struct DeploymentFolderTests {
    @Test func anotherRevisionUnderTheSameIdGetsItsOwnFolderAndARetryReusesIt() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let spec = appspec("files:\n  - {source: web, destination: /srv/shop}\n")
        let v1 = try host.revision("v1", ["appspec.yml": spec, "web/index.html": "v1\n"])
        let v2 = try host.revision("v2", ["appspec.yml": spec, "web/index.html": "v2\n"])
        func deploy(_ bundle: LocalBundle, id: String, label: String) async throws {
            var deployment = host.deployment(id)
            deployment.revisionLabel = label
            try await deployment.deploy(bundle: bundle, appSpec: try AppSpecFile.load(bundle: bundle).appSpec)
        }
        let v1Label = String(repeating: "1", count: 64), v2Label = String(repeating: "2", count: 64)
        try await deploy(v1, id: "d-1", label: v1Label)
        try await deploy(v2, id: "d-2", label: v2Label)
        try await deploy(v2, id: "d-2", label: v2Label)   // a retry after a crash
        try await deploy(v1, id: "d-2", label: v1Label)   // the rollback
        try await deploy(v1, id: "d-2", label: v1Label)   // the rollback retried
        let group = host.hostRoot + "/opt/codedeploy-agent/deployment-root/dg-web"
        #expect(try FileManager.default.contentsOfDirectory(atPath: group).sorted() == ["d-1", "d-2", "d-2-111111111111"])
        #expect(host.read("/srv/shop/index.html") == "v1\n")
        #expect(host.read("/opt/codedeploy-agent/deployment-root/dg-web/d-2/deployment-archive/web/index.html") == "v2\n")
        #expect(host.read("/opt/codedeploy-agent/deployment-root/deployment-instructions/dg-web_last_successful_install") == group + "/d-2-111111111111")
    }
}
