import Foundation
import SlipwayTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SlipwayAWS
import Synchronization
import Testing

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

    static let binary = BuiltProducts.slipway

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
        var environment = slipwayAWSEnvironment
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
        let status = await waitForExit(process)
        let log = outputs.withLock { $0[process.processIdentifier] } ?? ""
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return Result(status: status, output: output)
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

    /// SIGKILLs `process` the moment its output contains `text`, watched from a thread of its
    /// own (a test task on a starved cooperative pool could see the text only after the run
    /// went on to its end). False when the process ended first or the bound passed.
    func kill(_ process: Process, whenOutputContains text: String, seconds: Double = 120) async -> Bool {
        let log = outputs.withLock { $0[process.processIdentifier] } ?? ""
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread {
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline, process.isRunning {
                    if let output = try? String(contentsOfFile: log, encoding: .utf8), output.contains(text) {
                        Glibc.kill(process.processIdentifier, SIGKILL)
                        continuation.resume(returning: true)
                        return
                    }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                continuation.resume(returning: false)
            }.start()
        }
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

/// Polls the production listener (DescribeListeners) while a deployment runs and keeps every
/// distinct weight pair [blue, green] in the order seen.
///
/// It polls from a thread of its own with completion-handler URLSession calls, never from the
/// cooperative pool: the full suite keeps that pool busy for seconds at a time, long enough to
/// miss a whole canary step. The request is signed once (moto does not check signatures; AWS
/// would accept it for 15 minutes).
final class WeightWatcher: Sendable {
    final class State: Sendable {
        let weights = Mutex<[[Int]]>([])
        let stopped = Mutex(false)
        let finished = DispatchSemaphore(value: 0)
    }

    private let state = State()

    init(_ fixture: ECSFixture) async throws {
        let wire = try await fixture.client.signedRequest(for: .query(
            service: .elasticLoadBalancingV2, action: "DescribeListeners", version: "2015-12-01",
            parameters: [AWSQueryItem("ListenerArns.member.1", fixture.productionListener)]))
        // Signed once, replayed by the watcher thread through URLSession (see `poll`).
        var signed = URLRequest(url: try #require(URL(string: wire.url)))
        signed.httpMethod = wire.method
        for header in wire.headers { signed.setValue(header.value, forHTTPHeaderField: header.name) }
        if case .data(let body) = wire.body { signed.httpBody = body }
        let request = signed
        let state = self.state
        let groups = fixture.targetGroups
        let thread = Thread {
            let session = URLSession(configuration: .ephemeral)
            while true {
                // One more poll after stop() was asked: the state the deployment ended in.
                let stopping = state.stopped.withLock { $0 }
                if let weights = Self.poll(session, request, groups: groups) {
                    state.weights.withLock { if $0.last != weights { $0.append(weights) } }
                }
                if stopping { break }
                Thread.sleep(forTimeInterval: 0.04)
            }
            session.finishTasksAndInvalidate()
            state.finished.signal()
        }
        thread.start()
    }

    /// One DescribeListeners, waited for on this thread.
    static func poll(_ session: URLSession, _ request: URLRequest, groups: [String]) -> [Int]? {
        let done = DispatchSemaphore(value: 0)
        let body = Mutex<Data?>(nil)
        session.dataTask(with: request) { data, response, _ in
            if (response as? HTTPURLResponse)?.statusCode == 200 { body.withLock { $0 = data } }
            done.signal()
        }.resume()
        done.wait()
        guard let data = body.withLock({ $0 }), let root = try? AWSXML.parse(data),
              let action = root.first("DefaultActions")?.children("member").first(where: { $0["Type"] == "forward" }) else { return nil }
        let members = action.child("ForwardConfig")?.child("TargetGroups")?.children("member") ?? []
        if members.count > 1 {
            var weights: [String: Int] = [:]
            for member in members { weights[member["TargetGroupArn"] ?? ""] = member["Weight"].flatMap { Int($0) } ?? 1 }
            return groups.map { weights[$0] ?? 0 }
        }
        // A forward to one group (plain, or a one-member ForwardConfig) means all of it.
        let only = action["TargetGroupArn"].flatMap { $0.isEmpty ? nil : $0 } ?? members.first?["TargetGroupArn"]
        return groups.map { $0 == only ? 100 : 0 }
    }

    var observed: [[Int]] { state.weights.withLock { $0 } }

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
        state.stopped.withLock { $0 = true }
        let state = self.state
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                state.finished.wait()
                continuation.resume()
            }
        }
        return observed
    }
}
