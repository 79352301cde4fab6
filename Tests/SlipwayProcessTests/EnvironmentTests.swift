import Foundation
import Testing
@testable import SlipwayProcess

@Suite struct EnvironmentTests {
    @Test func environmentIsPassedExactly() async throws {
        let environment = ["PATH": "/usr/bin:/bin", "GREETING": "hello world", "EMPTY": "", "EQUALS": "a=b"]
        let lines = LineCollector()
        let result = try await runProcess(ProcessSpec(arguments: ["env"], environment: environment), onLine: lines.onLine)
        #expect(result.succeeded)
        // Nothing of the test runner's own environment (HOME, USER, ...) leaks in.
        #expect(Set(lines.lines(.stdout)) == ["PATH=/usr/bin:/bin", "GREETING=hello world", "EMPTY=", "EQUALS=a=b"])
    }

    @Test func workingDirectoryIsApplied() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = LineCollector()
        var spec = shell("pwd -P")
        spec.workingDirectory = directory
        _ = try await runProcess(spec, onLine: lines.onLine)
        let expected = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        #expect(lines.lines(.stdout) == [expected])
    }

    @Test func commandNameIsLookedUpOnTheChildsPath() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tool = directory + "/slipway-test-tool"
        try writeFile(tool, "#!/bin/sh\necho found-it\n", mode: 0o755)
        let lines = LineCollector()
        let spec = ProcessSpec(arguments: ["slipway-test-tool"], environment: ["PATH": "/nonexistent:\(directory)"])
        let result = try await runProcess(spec, onLine: lines.onLine)
        #expect(result.succeeded)
        #expect(lines.lines(.stdout) == ["found-it"])
    }

    @Test func relativeExecutablePathIsResolvedInTheWorkingDirectory() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/scripts", withIntermediateDirectories: true)
        let script = directory + "/scripts/start.sh"
        try writeFile(script, "#!/bin/sh\necho relative-ok\n", mode: 0o755)
        let lines = LineCollector()
        let spec = ProcessSpec(arguments: ["scripts/start.sh"], environment: testEnvironment, workingDirectory: directory)
        let result = try await runProcess(spec, onLine: lines.onLine)
        #expect(result.succeeded)
        #expect(lines.lines(.stdout) == ["relative-ok"])
    }
}
