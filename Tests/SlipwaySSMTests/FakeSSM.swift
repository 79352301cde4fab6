import Foundation
import SlipwayTestSupport
import Synchronization

/// A scripted SSM endpoint on 127.0.0.1, for the invocation statuses moto cannot produce
/// (moto answers Success at once and runs nothing: no InProgress, Failed, TimedOut, Cancelled,
/// no output). This is the one place a fake stands in for AWS; everything it answers has the
/// shape of the real GetCommandInvocation reply (botocore's ssm model).
final class FakeSSM: Sendable {
    /// One GetCommandInvocation answer: an invocation, or an error code such as InvocationDoesNotExist.
    enum Reply: Sendable {
        case invocation(status: String, details: String, code: Int, stdout: String = "", stderr: String = "")
        case error(String)
    }

    private struct State {
        var replies: [Reply]
        var afterCancel: Reply?
        var cancelled = false
        var polls = 0
    }

    /// A class around the lock, so the server's handler closure can share it.
    private final class Box: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let box: Box
    let server: TestHTTPServer

    /// `replies` are given one per poll; the last one repeats. After a CancelCommand,
    /// `afterCancel` (when set) is the answer from then on.
    init(_ replies: [Reply], afterCancel: Reply? = nil) throws {
        let box = Box(State(replies: replies, afterCancel: afterCancel))
        self.box = box
        server = try TestHTTPServer { request in
            let operation = request.headers["x-amz-target"]?.split(separator: ".").last.map(String.init) ?? ""
            switch operation {
            case "SendCommand":
                return Self.json(["Command": ["CommandId": "cmd-fake-1", "Status": "Pending"]])
            case "CancelCommand":
                box.state.withLock { $0.cancelled = true }
                return Self.json([:])
            case "GetCommandInvocation":
                let reply: Reply = box.state.withLock { state in
                    state.polls += 1
                    if state.cancelled, let after = state.afterCancel { return after }
                    return state.replies.count > 1 ? state.replies.removeFirst() : state.replies[0]
                }
                switch reply {
                case .error(let code):
                    return TestHTTPServer.Response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                                                   body: Data("{\"__type\":\"\(code)\",\"message\":\"scripted\"}".utf8))
                case .invocation(let status, let details, let code, let stdout, let stderr):
                    return Self.json(["CommandId": "cmd-fake-1", "InstanceId": "i-0fake", "Status": status, "StatusDetails": details,
                                      "ResponseCode": code, "StandardOutputContent": stdout, "StandardErrorContent": stderr])
                }
            default:
                return TestHTTPServer.Response(status: 400, body: Data("{\"__type\":\"UnknownOperation\"}".utf8))
            }
        }
    }

    var polls: Int { box.state.withLock { $0.polls } }
    var wasCancelled: Bool { box.state.withLock { $0.cancelled } }

    /// The decoded JSON bodies of the requests for `operation`.
    func bodies(_ operation: String) -> [[String: Any]] {
        server.requests.filter { $0.headers["x-amz-target"] == "AmazonSSM.\(operation)" }
            .compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
    }

    private static func json(_ object: [String: Any]) -> TestHTTPServer.Response {
        TestHTTPServer.Response(status: 200, headers: ["Content-Type": "application/x-amz-json-1.1"],
                                body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }
}
