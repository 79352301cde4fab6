import Foundation
import SlipwayTestSupport

/// Runs the built `slipway` binary as a real process, the way a user or CI does.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static let binary = BuiltProducts.slipway

    /// Runs the binary to completion. The blocking work (reading both pipes, waiting for the exit)
    /// happens on a thread of its own: on the cooperative pool it would hold one of the two
    /// threads a 2-core machine has for as long as the child runs, stalling unrelated tests.
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) async throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory]
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return await withCheckedContinuation { (continuation: CheckedContinuation<CLIResult, Never>) in
            let thread = Thread {
                // Read both pipes to the end before waiting, so a chatty child can't block on a full pipe.
                let stderrDone = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var errData = Data()
                let errReader = Thread {
                    errData = err.fileHandleForReading.readDataToEndOfFile()
                    stderrDone.signal()
                }
                errReader.start()
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                stderrDone.wait()
                process.waitUntilExit()
                continuation.resume(returning: CLIResult(status: process.terminationStatus,
                                                         stdout: String(decoding: outData, as: UTF8.self),
                                                         stderr: String(decoding: errData, as: UTF8.self)))
            }
            thread.name = "cli-test-\(process.processIdentifier)"
            thread.start()
        }
    }
}

/// A temporary project folder with `pipelines/`, removed by the caller.
struct Project {
    let root: String

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/pipelines", withIntermediateDirectories: true)
        for (path, text) in files {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIResult {
        try await CLI.run(arguments, in: root, environment: environment)
    }
}
