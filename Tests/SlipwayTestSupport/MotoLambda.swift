import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SlipwayAWS

/// Lambda on moto (moto.md, Lambda rows): the docker-free backend switched on before any
/// function exists, an IAM role for functions, functions made from zips built by the test, and
/// canned invoke answers.
///
/// Facts this relies on (moto 5.2, checked by hand):
/// - `POST /moto-api/config {"lambda":{"use_docker":false}}` selects a separate, empty backend:
///   functions created before the switch become invisible. Posting the same config again does
///   NOT reset anything, and `GET /moto-api/config` tells the current value, so `prepare` reads
///   first and switches only a server still in docker mode — once per server, whoever asks.
/// - With use_docker=false an invoke echoes its payload, unless a canned answer is queued with
///   `POST /moto-api/static/lambda-simple/response`; the queue belongs to the whole server (not
///   to a function), each invoke pops one answer. Suites run in parallel against one server, so
///   every test that invokes a function (a hook) must hold `MotoLambda.withInvokeLock` from
///   queuing its answers until its last invoke.
public enum MotoLambda {
    public static let roleName = "slipway-lambda-test"
    public static let runtime = "python3.12"

    /// Makes sure the server at `endpoint` runs Lambda without docker. Safe to call from every
    /// test: it changes the config only when it is still the default.
    public static func prepare(endpoint: String) async throws {
        try await configured.ensure(endpoint)
    }

    /// The ARN of a role functions can use (moto refuses CreateFunction without one).
    public static func roleArn(client: AWSClient) async throws -> String {
        let version = "2010-05-08"
        do {
            let created = try await client.send(AWSRequest.query(service: .iam, action: "CreateRole", version: version, parameters: [
                AWSQueryItem("RoleName", roleName),
                AWSQueryItem("AssumeRolePolicyDocument", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#),
            ])).xml()
            if let arn = created.first("Arn")?.text { return arn }
        } catch let error as AWSError where error.code == "EntityAlreadyExists" {
            // Another test made it first.
        }
        let existing = try await client.send(AWSRequest.query(service: .iam, action: "GetRole", version: version,
                                                              parameters: [AWSQueryItem("RoleName", roleName)])).xml()
        guard let arn = existing.first("Arn")?.text else { throw MotoLambdaError(message: "GetRole returned no Arn") }
        return arn
    }

    /// A function made from `files` (name → content), on a server `prepare` has switched.
    @discardableResult
    public static func createFunction(_ name: String, files: [String: String], client: AWSClient) async throws -> LambdaFunctionConfiguration {
        try await prepare(endpoint: client.configuration.endpoint(for: .lambda).baseURL.absoluteString)
        let role = try await roleArn(client: client)
        return try await LambdaClient(client: client).createFunction(name, runtime: runtime, role: role, handler: "index.handler",
                                                                     zip: try await zip(files))
    }

    /// A deterministic zip of `files` (python3's zipfile, which moto needs anyway): sorted
    /// names, fixed timestamps, so equal contents give an equal CodeSha256.
    public static func zip(_ files: [String: String]) async throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("files.json")
        try JSONSerialization.data(withJSONObject: files).write(to: spec)
        let output = folder.appendingPathComponent("code.zip")
        let script = """
        import json, sys, zipfile
        files = json.load(open(sys.argv[1]))
        with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, spec.path, output.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Poll instead of waitUntilExit: a blocked thread is one of the two the test pool has.
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MotoLambdaError(message: "python3 zipfile exited with \(process.terminationStatus)") }
        return try Data(contentsOf: output)
    }

    /// Runs `body` holding the process-wide invoke lock (see the type's comment). Every use
    /// of canned answers, and every test that lets a deployment invoke hook functions, goes
    /// through here: Lambda tests and ECS tests alike.
    public static func withInvokeLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await invokeLock.lock()
        do {
            let result = try await body()
            await invokeLock.unlock()
            return result
        } catch {
            await invokeLock.unlock()
            throw error
        }
    }

    /// Queues answers the next invokes on this server return, in order (each a raw payload,
    /// e.g. `{"status": "Succeeded"}`). Call only while holding `withInvokeLock`, and consume
    /// every answer you queue: leftovers would answer the next test's invokes.
    public static func queueInvokeResponses(_ payloads: [String], endpoint: String, region: String = "us-east-1") async throws {
        try await prepare(endpoint: endpoint)
        let body = try JSONSerialization.data(withJSONObject: ["results": payloads, "region": region] as [String: Any])
        let (_, status) = try await motoAPI(endpoint, "/moto-api/static/lambda-simple/response", body: body)
        guard status == 201 || status == 200 else { throw MotoLambdaError(message: "queuing canned Lambda responses: HTTP \(status)") }
    }

    // MARK: Internals

    static let invokeLock = AsyncLock()
    static let configured = DockerlessServers()

    static func motoAPI(_ endpoint: String, _ path: String, body: Data?) async throws -> (Data, Int) {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        guard let url = URL(string: base + path) else { throw MotoLambdaError(message: "bad moto URL \(base + path)") }
        var request = URLRequest(url: url)
        if let body {
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}

struct MotoLambdaError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Servers already switched to use_docker=false. A restarted test server on a reused port is
/// caught by re-reading the config: the set is only a shortcut.
actor DockerlessServers {
    private var done: Set<String> = []

    func ensure(_ endpoint: String) async throws {
        if done.contains(endpoint) { return }
        let (current, _) = try await MotoLambda.motoAPI(endpoint, "/moto-api/config", body: nil)
        let config = try? JSONSerialization.jsonObject(with: current) as? [String: Any]
        let useDocker = (config?["lambda"] as? [String: Any])?["use_docker"] as? Bool ?? true
        if useDocker {
            let body = Data(#"{"lambda":{"use_docker":false}}"#.utf8)
            let (_, status) = try await MotoLambda.motoAPI(endpoint, "/moto-api/config", body: body)
            guard status == 201 || status == 200 else { throw MotoLambdaError(message: "switching moto Lambda to use_docker=false: HTTP \(status)") }
        }
        done.insert(endpoint)
    }
}

/// A FIFO async mutex: waiters suspend (no thread is blocked) until the holder unlocks.
public actor AsyncLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func lock() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func unlock() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()  // ownership passes straight to the next waiter
        }
    }
}
