import Foundation
import Synchronization
@testable import SlipwayProcess

/// Collects the lines a process printed, from whatever thread delivers them.
final class LineCollector: Sendable {
    private let lines = Mutex<[(ProcessOutputStream, String)]>([])

    var onLine: @Sendable (ProcessOutputStream, String) -> Void {
        { stream, line in self.lines.withLock { $0.append((stream, line)) } }
    }

    func lines(_ stream: ProcessOutputStream) -> [String] {
        lines.withLock { $0.filter { $0.0 == stream }.map(\.1) }
    }

    func contains(_ line: String) -> Bool {
        lines.withLock { $0.contains { $0.1 == line } }
    }
}

/// Counts lines instead of keeping them, for floods of output.
final class LineCounter: Sendable {
    private let state = Mutex<(stdout: Int, firstStderr: String?)>((0, nil))

    var onLine: @Sendable (ProcessOutputStream, String) -> Void {
        { stream, line in
            self.state.withLock { state in
                if stream == .stdout { state.stdout += 1 } else if state.firstStderr == nil { state.firstStderr = line }
            }
        }
    }

    var stdoutLines: Int { state.withLock { $0.stdout } }
    var firstStderrLine: String? { state.withLock { $0.firstStderr } }
}

let testEnvironment = ["PATH": "/usr/bin:/bin"]

func shell(_ script: String, timeout: Duration? = nil, killGrace: Duration = .seconds(5)) -> ProcessSpec {
    ProcessSpec(arguments: ["/bin/sh", "-c", script], environment: testEnvironment, timeout: timeout, killGrace: killGrace)
}

/// Running and not a zombie. Orphaned grandchildren are re-parented to PID 1, which in a
/// container may never reap them, so a dead process can linger as a zombie that `kill -0`
/// still reports.
func isRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let fields = ProcessGroup.statFieldsAfterCommand(stat), let state = fields.first else { return false }
    return state != "Z" && state != "X"
}

func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "slipway-process-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes a file through a close-on-exec descriptor. Foundation's writers may leave theirs
/// inheritable, and a child spawned by a parallel test that inherits the writable descriptor
/// makes exec of this very file fail with ETXTBSY.
func writeFile(_ path: String, _ contents: String, mode: mode_t = 0o644) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let bytes = Array(contents.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
    fchmod(fd, mode)
}
