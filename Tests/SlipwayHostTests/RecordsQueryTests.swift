import Foundation
import SlipwayProcess
@testable import SlipwayHost
import Testing

/// A local host's records are read in process; every other transport runs the records script.
/// Both must give the same sections, line for line, whatever state the host is in.
@Suite struct RecordsQueryTests {
    func bothReads(_ host: HostFixture, id: String = "d-2") async throws -> (inProcess: HostRecords, script: HostRecords) {
        let local = host.deployment(id)
        var scripted = local
        scripted.transport = ScriptOnlyTransport(inner: LocalTransport(root: host.hostRoot))
        return (try await local.readRecords(), try await scripted.readRecords())
    }

    let instructions = "/opt/codedeploy-agent/deployment-root/deployment-instructions"

    @Test func aHostWithoutRecords() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let (inProcess, script) = try await bothReads(host)
        #expect(inProcess == script)
        #expect(inProcess.lastSuccessfulRevision == nil)
    }

    @Test func aHostAfterADeployment() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("files:\n  - source: a.txt\n    destination: /srv\nhooks:\n  ApplicationStop: [{location: stop.sh}]\n"),
            "a.txt": "a\n", "stop.sh": "#!/bin/sh\n",
        ])
        try await host.deploy(bundle, id: "d-1")
        let (inProcess, script) = try await bothReads(host)
        #expect(inProcess == script)
        #expect(inProcess.text("@@appspec").contains("ApplicationStop"))
        #expect(inProcess.text("@@manifest").contains("/srv/a.txt"))
    }

    /// Files without a final newline, an empty manifest, a last install whose appspec is
    /// `appspec.yaml`, a revision file in this deployment's folder, and a directory where a
    /// file is expected.
    @Test func awkwardFiles() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let folder = host.hostRoot + "/opt/codedeploy-agent/deployment-root/dg-web/d-1"
        try host.write("\(instructions)/dg-web-cleanup", "")
        try host.write("\(instructions)/dg-web_last_successful_install", folder + "\nsecond line")
        try host.write("/opt/codedeploy-agent/deployment-root/dg-web/d-1/deployment-archive/appspec.yaml", "version: 0.0\nos: linux")
        try host.write("/opt/codedeploy-agent/deployment-root/dg-web/d-1/slipway-revision", String(repeating: "a", count: 64))
        try FileManager.default.createDirectory(atPath: host.hostRoot + "/opt/codedeploy-agent/deployment-root/dg-web/d-2/slipway-revision",
                                                withIntermediateDirectories: true)
        let (inProcess, script) = try await bothReads(host)
        #expect(inProcess == script)
        #expect(inProcess.lastSuccessfulRevision == String(repeating: "a", count: 64))
        #expect(inProcess.text("@@appspec") == "version: 0.0\nos: linux")
    }
}

extension RecordsQueryTests {
    /// Five or more entries in the group folder: both reads list them newest first (the order
    /// retention removes by), hidden entries left out; fewer: neither lists them.
    @Test func theGroupFolderIsListedNewestFirstOnceRetentionWillRemoveSome() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let group = host.hostRoot + "/opt/codedeploy-agent/deployment-root/dg-web"
        func make(_ names: [String]) throws {
            for (index, name) in names.enumerated() {
                try FileManager.default.createDirectory(atPath: "\(group)/\(name)", withIntermediateDirectories: true)
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(index) * -60)],
                                                      ofItemAtPath: "\(group)/\(name)")
            }
        }
        try make(["d-c", "d-a", "d-e", "d-b"])
        var (inProcess, script) = try await bothReads(host)
        #expect(inProcess == script)
        #expect((inProcess.sections["@@folders"] ?? []).allSatisfy { $0.isEmpty })

        try make(["d-c", "d-a", "d-e", "d-b", "d-d", ".hidden"])
        (inProcess, script) = try await bothReads(host)
        #expect(inProcess == script)
        #expect((inProcess.sections["@@folders"] ?? []).filter { !$0.isEmpty } == ["d-c", "d-a", "d-e", "d-b", "d-d"])
        let previous = try await host.deployment("d-2").previousInstall(inProcess)
        #expect(previous.foldersNewestFirst == ["d-c", "d-a", "d-e", "d-b", "d-d"])
    }
}

/// The local host seen through a transport that must run the records script.
private struct ScriptOnlyTransport: HostTransport {
    let inner: LocalTransport
    var description: String { inner.description }

    func run(_ script: String, environment: [String: String], timeout: Duration?,
             onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        try await inner.run(script, environment: environment, timeout: timeout, onLine: onLine)
    }

    func upload(_ localPath: String, to remotePath: String) async throws(TransportError) {
        try await inner.upload(localPath, to: remotePath)
    }

    func append(_ text: String, to path: String) async throws(TransportError) {
        try await inner.append(text, to: path)
    }
}
