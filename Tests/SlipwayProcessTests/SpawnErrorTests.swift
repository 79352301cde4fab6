import Foundation
import Testing
@testable import SlipwayProcess

@Suite struct SpawnErrorTests {
    @Test func unknownCommandIsNotFound() async {
        let spec = ProcessSpec(arguments: ["slipway-no-such-command"], environment: testEnvironment)
        await #expect(throws: ProcessError.executableNotFound(name: "slipway-no-such-command", searchPath: "/usr/bin:/bin")) {
            try await runProcess(spec, onLine: { _, _ in })
        }
        #expect(ProcessError.executableNotFound(name: "x", searchPath: "/bin").description.contains("\"x\": command not found"))
    }

    @Test func missingAbsolutePathIsNotFound() async {
        let spec = ProcessSpec(arguments: ["/nonexistent/tool"], environment: testEnvironment)
        do {
            _ = try await runProcess(spec, onLine: { _, _ in })
            Issue.record("expected an error")
        } catch {
            #expect(error == .executableNotFound(name: "/nonexistent/tool", searchPath: nil))
            #expect(error.description == "cannot start \"/nonexistent/tool\": no such file")
        }
    }

    @Test func nonExecutableFileIsRejected() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/data.txt"
        try writeFile(file, "not a program", mode: 0o644)
        let spec = ProcessSpec(arguments: [file], environment: testEnvironment)
        await #expect(throws: ProcessError.notExecutable(path: file)) {
            try await runProcess(spec, onLine: { _, _ in })
        }
    }

    @Test func missingWorkingDirectoryIsReported() async {
        let spec = ProcessSpec(arguments: ["/bin/true"], environment: testEnvironment, workingDirectory: "/nonexistent/dir")
        await #expect(throws: ProcessError.workingDirectoryNotFound(path: "/nonexistent/dir")) {
            try await runProcess(spec, onLine: { _, _ in })
        }
        #expect(ProcessError.workingDirectoryNotFound(path: "/x").description.contains("\"/x\" does not exist"))
    }

    @Test func emptyArgumentsAreRejected() async {
        await #expect(throws: ProcessError.noArguments) {
            try await runProcess(ProcessSpec(arguments: [], environment: [:]), onLine: { _, _ in })
        }
    }

    @Test func nulInArgumentIsRejected() async {
        let spec = ProcessSpec(arguments: ["/bin/echo", "a\u{0}b"], environment: testEnvironment)
        await #expect(throws: ProcessError.invalidString("a\u{0}b")) {
            try await runProcess(spec, onLine: { _, _ in })
        }
    }

    @Test func missingInterpreterIsExplained() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = directory + "/hook.sh"
        try writeFile(script, "#!/nonexistent/interpreter\necho hi\n", mode: 0o755)
        do {
            _ = try await runProcess(ProcessSpec(arguments: [script], environment: testEnvironment), onLine: { _, _ in })
            Issue.record("expected a spawn failure")
        } catch {
            guard case .spawnFailed(let executable, let code, _) = error else { Issue.record("got \(error)"); return }
            #expect(executable == script)
            #expect(code == ENOENT)
            #expect(error.description.contains("interpreter"))
        }
    }
}
