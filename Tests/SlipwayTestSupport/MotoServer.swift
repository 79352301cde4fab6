import Foundation
import SlipwayAWS

/// A moto_server on 127.0.0.1 for one test, stopped (SIGTERM to its own PID) when the test ends.
/// `SLIPWAY_MOTO_URL` / `SLIPWAY_MOTO_AUTH_URL` point at servers the test script started instead.
public final class MotoServer: @unchecked Sendable {
    public let endpoint: String
    private let process: Process?

    private init(endpoint: String, process: Process?) {
        self.endpoint = endpoint
        self.process = process
    }

    /// `authActions`: start with `INITIAL_NO_AUTH_ACTION_COUNT` so signatures are checked after
    /// that many unauthenticated calls.
    public static func start(authActions: Int? = nil) async throws -> MotoServer {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment[authActions == nil ? "SLIPWAY_MOTO_URL" : "SLIPWAY_MOTO_AUTH_URL"], !url.isEmpty {
            return MotoServer(endpoint: url, process: nil)
        }
        let port = TestHTTPServer.unusedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A child of the test runner inherits its blocked signal mask (SIGTERM included), so
        // moto would ignore SIGTERM: a python trampoline clears the mask, then execs moto_server.
        process.arguments = ["python3", "-c",
                             "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp('moto_server', ['moto_server'] + sys.argv[1:])",
                             "-H", "127.0.0.1", "-p", String(port)]
        var childEnvironment = environment.filter { name, _ in
            !name.hasPrefix("AWS_") && !name.lowercased().hasSuffix("_proxy")
        }
        childEnvironment["AWS_EC2_METADATA_DISABLED"] = "true"
        if let authActions { childEnvironment["INITIAL_NO_AUTH_ACTION_COUNT"] = String(authActions) }
        process.environment = childEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(endpoint: "http://127.0.0.1:\(port)", process: process)
        let deadline = Date().addingTimeInterval(60)
        while !TestHTTPServer.isAccepting(port: port) {
            guard process.isRunning, Date() < deadline else {
                server.stop()
                throw MotoStartError(message: "moto_server did not start listening on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return server
    }

    /// The server's process when this test started it.
    var processIdentifier: Int32? { process?.processIdentifier }

    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    struct MotoStartError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// Runs `body` with a server and always stops what it started. Plain servers are shared by
    /// the tests running at the same time (one moto instead of one per test on a 2-core box) and
    /// stopped when the last of them ends; tests isolate themselves with unique bucket names.
    /// Signature-checking servers are fresh per call: their unauthenticated calls are single-use.
    public static func with<T>(authActions: Int? = nil, _ body: (MotoServer) async throws -> T) async throws -> T {
        if authActions != nil {
            let server = try await start(authActions: authActions)
            defer { server.stop() }
            return try await body(server)
        }
        let server = try await MotoPool.shared.acquire()
        do {
            let result = try await body(server)
            await MotoPool.shared.release()
            return result
        } catch {
            await MotoPool.shared.release()
            throw error
        }
    }

    /// A client for this server with dummy (or given) credentials and an injected environment.
    public func client(credentials: AWSCredentials = AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "test-secret"),
                retryPolicy: AWSRetryPolicy = AWSRetryPolicy(sleep: { _ in })) throws -> AWSClient {
        try testAWSClient(endpoint: endpoint, credentials: credentials, retryPolicy: retryPolicy)
    }
}

/// What a `slipway` process under test needs to reach moto with the dummy credentials
/// `testAWSClient` uses; the endpoint itself comes from the pipeline (`with.endpoint`).
public let slipwayAWSEnvironment = ["NO_COLOR": "1", "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret",
                                    "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"]

/// A client for an AWS endpoint on 127.0.0.1 (moto, or a fake) with dummy (or given)
/// credentials, an injected environment (nothing read from the caller's), and no retry sleeps.
public func testAWSClient(endpoint: String,
                          credentials: AWSCredentials = AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "test-secret"),
                          retryPolicy: AWSRetryPolicy = AWSRetryPolicy(sleep: { _ in })) throws -> AWSClient {
    let environment = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"], homeDirectory: "/nonexistent")
    return AWSClient(configuration: try AWSConfiguration(environment: environment),
                     credentialProvider: StaticCredentialProvider(credentials), retryPolicy: retryPolicy)
}

/// Bucket names unique per test, so tests sharing one server (SLIPWAY_MOTO_URL) never collide.
public func uniqueBucketName(_ purpose: String) -> String {
    "slipway-\(purpose)-\(UUID().uuidString.lowercased().prefix(8))"
}

/// Reference-counted shared moto_server.
actor MotoPool {
    static let shared = MotoPool()
    private var server: MotoServer?
    private var starting: Task<MotoServer, any Error>?
    private var users = 0

    func acquire() async throws -> MotoServer {
        users += 1
        if let server { return server }
        let task = starting ?? Task { try await MotoServer.start() }
        starting = task
        do {
            let started = try await task.value
            server = started
            starting = nil
            return started
        } catch {
            users -= 1
            starting = nil
            throw error
        }
    }

    func release() {
        users -= 1
        if users == 0, let server {
            self.server = nil
            server.stop()
        }
    }
}

/// One moto_server for the whole test process, for suites that create stores in many places:
/// `SLIPWAY_MOTO_URL` when the test script started one, else a server started on first use and
/// killed when the process exits.
public enum SharedMoto {
    private static let server = Task { try await MotoServer.start() }
    nonisolated(unsafe) static var startedPID: Int32 = 0

    public static func endpoint() async throws -> String {
        let started = try await server.value
        if let pid = started.processIdentifier, startedPID == 0 {
            startedPID = pid
            atexit { if SharedMoto.startedPID > 0 { kill(SharedMoto.startedPID, SIGKILL) } }
        }
        return started.endpoint
    }
}
