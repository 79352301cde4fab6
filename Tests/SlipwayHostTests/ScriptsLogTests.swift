import Foundation
@testable import SlipwayHost
import Testing

/// scripts.log entries are written by the host's next hook command (or at the end, or on a
/// failure): every event's entry must still arrive, once, in order.
@Suite struct ScriptsLogTests {
    let logPath = "/opt/codedeploy-agent/deployment-root/dg-web/d-1/logs/scripts.log"

    func hooks(_ failing: String? = nil) -> [String: String] {
        var files = [
            "appspec.yml": appspec("""
            hooks:
              BeforeInstall: [{location: before.sh}]
              AfterInstall: [{location: after.sh}]
              ApplicationStart: [{location: start.sh}]
              ValidateService: [{location: validate.sh}]

            """),
        ]
        for name in ["before", "after", "start", "validate"] {
            files["\(name).sh"] = "#!/bin/sh\necho ran \(name)\n" + (name == failing ? "exit 3\n" : "")
        }
        return files
    }

    func events(in log: String) -> [String] {
        log.split(separator: "\n").compactMap { line in
            line.range(of: "LifecycleEvent - ").map { String(line[$0.upperBound...]) }
        }
    }

    @Test func timestampsAreISO8601InUTCAsFoundationWritesThem() {
        for seconds in [0, 951_782_400, 1_796_017_302, 1_799_999_999.9] as [TimeInterval] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ScriptsLog.utcTimestamp(date) == ISO8601DateFormatter().string(from: date))
        }
    }

    @Test func everyEventIsLoggedOnceInOrder() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        try await host.deploy(try host.revision("v1", hooks()), id: "d-1")
        let log = try #require(host.read(logPath))
        #expect(events(in: log) == ["BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"])
        for name in ["before", "after", "start", "validate"] { #expect(log.contains("[stdout]ran \(name)")) }
    }

    @Test func aFailedHookStillLogsEverythingBeforeIt() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        await #expect(throws: HostDeploymentError.self) {
            try await host.deploy(try host.revision("v1", hooks("start")), id: "d-1")
        }
        let log = try #require(host.read(logPath))
        #expect(events(in: log) == ["BeforeInstall", "AfterInstall", "ApplicationStart"])
        #expect(log.contains("[stdout]ran start"))
        #expect(!log.contains("ran validate"))
    }
}
