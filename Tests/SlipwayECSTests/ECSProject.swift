import Foundation
import Synchronization

/// A temporary project whose pipeline deploys the fixture's service, run through the real
/// `slipway` binary (as a user or CI would), off the cooperative pool.
struct ECSProject {
    let root: String
    /// Added to the environment of every slipway process.
    var environment: [String: String] = [:]

    /// A copy of files of this repository (paths relative to its root), as a project.
    init(repositoryFiles paths: [String], environment: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-ecs-\(UUID().uuidString)").path
        self.environment = environment
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for path in paths {
            let target = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: repository.appendingPathComponent(path), to: target)
        }
    }

    /// `strategy`, extra stage lines (`hooks:`, `gates:`), extra `with:` settings, and extra
    /// files of the revision (an appspec).
    init(_ fixture: ECSFixture, strategy: String, stageLines: [String] = [], with extra: [String] = [],
         files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-ecs-\(UUID().uuidString)").path
        // Gates read CloudWatch with the runner's own AWS settings: moto, never AWS.
        environment = ["AWS_ENDPOINT_URL": fixture.endpoint]
        let stage = ["  - name: prod", "    type: ecs", "    strategy: \(strategy)"] + stageLines.map { "    " + $0 }
        let pipeline = """
        name: shop
        vars: {VERSION: green}
        revision: {source: app}
        store: file://store
        stages:
        \(stage.joined(separator: "\n"))
            with:
        \(fixture.withBlock(extra: extra))
        """
        var all = files
        all["pipelines/shop.yml"] = pipeline
        all["app/taskdef.json"] = fixture.taskDefinitionFile
        for (path, text) in all {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("slipway").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("slipway").path
    }()

    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// Starts `slipway <arguments>`; output goes to a file so the child never blocks on a pipe.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ECSFixture.processEnvironment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["HOME"] = root
        environment.merge(self.environment) { _, new in new }
        process.environment = environment
        let log = root + "/slipway-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        outputs.withLock { $0[process.processIdentifier] = log }
        return process
    }

    /// Waits for `process` without blocking a cooperative thread.
    func finish(_ process: Process) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        let log = outputs.withLock { $0[process.processIdentifier] } ?? ""
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output)
    }

    /// Waits (bounded) until the output of a running `process` contains `text`.
    func waitForOutput(of process: Process, containing text: String, seconds: Double = 120) async -> Bool {
        let log = outputs.withLock { $0[process.processIdentifier] } ?? ""
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let output = try? String(contentsOfFile: log, encoding: .utf8), output.contains(text) { return true }
            if !process.isRunning { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func run(_ arguments: [String]) async throws -> Result {
        await finish(try start(arguments))
    }

    /// The id of the newest deployment, from `slipway history`.
    func latestDeployment() async throws -> String {
        let history = try await run(["history", "pipelines/shop.yml"])
        return String(history.output.prefix { $0 != " " })
    }
}

private let outputs = Mutex<[Int32: String]>([:])

/// Polls the production listener while a deployment runs and keeps every distinct weight
/// pair in the order seen.
final class WeightWatcher: Sendable {
    final class Seen: Sendable {
        let weights = Mutex<[[Int]]>([])
        let stopped = Mutex(false)
    }

    private let seen = Seen()
    private let task: Task<Void, Never>

    /// Stopped by a flag, never by cancelling the task: cancelling a task while its
    /// URLSession request completes deadlocks swift-corelibs-foundation.
    init(_ fixture: ECSFixture) {
        let seen = self.seen
        task = Task {
            while true {
                // One more poll after stop() was asked: the state the deployment ended in.
                let stopping = seen.stopped.withLock { $0 }
                do {
                    let weights = try await fixture.productionWeights()
                    seen.weights.withLock { if $0.last != weights { $0.append(weights) } }
                } catch {
                    FileHandle.standardError.write(Data("watch: \(error)\n".utf8))
                }
                if stopping { break }
                try? await Task.sleep(for: .milliseconds(40))
            }
        }
    }

    var observed: [[Int]] { seen.weights.withLock { $0 } }

    /// Waits (bounded) until the listener shows `weights`.
    func waitFor(_ weights: [Int], seconds: Double = 120) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if observed.contains(weights) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func stop() async -> [[Int]] {
        seen.stopped.withLock { $0 = true }
        await task.value
        return observed
    }
}
