import Foundation
import SlipwayAWS
import SlipwayHost
import SlipwayProcess
import Synchronization

/// A host that is an EC2 instance (or on-premises node) managed by AWS Systems Manager: each
/// `run` is one `SendCommand` of AWS-RunShellScript to that instance alone, its result read with
/// `GetCommandInvocation`; `upload` stages the file in S3 and has the host fetch it through a
/// presigned URL. No inbound port and no ssh key: the SSM agent on the host pulls its work.
///
/// What SSM changes compared with the other transports: output arrives when the script ends
/// (not line by line) and SSM keeps only the first 24,000 characters of stdout and 8,000 of
/// stderr; a note on stderr says so when that happened. Environment values travel inside the
/// command's parameters, which anyone with `ssm:ListCommands` can read.
public struct SSMTransport: HostTransport {
    public let instanceId: String
    public let ssm: SSMClient
    /// Where `upload` puts files for the host to fetch; nil: uploads are refused.
    public let staging: SSMStaging?
    public var options: SSMTransportOptions

    public init(instanceId: String, ssm: SSMClient, staging: SSMStaging?, options: SSMTransportOptions = SSMTransportOptions()) {
        self.instanceId = instanceId
        self.ssm = ssm
        self.staging = staging
        self.options = options
    }

    public var description: String { "ssm:\(instanceId)" }
    /// Output comes when the script ends: each command is its own SendCommand, so each keeps
    /// its own execution timeout.
    public var streamsOutput: Bool { false }

    public func run(_ script: String, environment: [String: String], timeout: Duration?,
                    onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        let program: String
        do { program = try SSMScripts.run(script, environment: environment) } catch { throw failure(error.message) }
        let executionSeconds = min(Self.maxExecutionTimeout, timeout?.wholeSeconds ?? Self.maxExecutionTimeout)
        let started = ContinuousClock.now
        let commandId: String
        do {
            commandId = try await ssm.sendCommand(SSMShellCommand(
                instanceId: instanceId, script: program, executionTimeoutSeconds: executionSeconds,
                deliveryTimeoutSeconds: options.deliveryTimeoutSeconds, comment: options.comment))
        } catch {
            throw failure("SendCommand failed: \(error)")
        }
        options.commandSent?(commandId)
        let stop = StopRequest()
        // Polled in a task of its own: once our task is cancelled, URLSession would cancel every
        // request it makes, and we still need CancelCommand and the final status.
        let polling = Task { await poll(commandId: commandId, executionSeconds: executionSeconds, stop: stop) }
        let outcome = await withTaskCancellationHandler {
            await polling.value
        } onCancel: {
            stop.request(.cancellation)
        }
        let invocation: SSMInvocation
        switch outcome {
        case .failure(let message): throw failure("command \(commandId): \(message)")
        case .success(let value): invocation = value
        }
        return try result(of: invocation, commandId: commandId, stopped: stop.reason, started: started, onLine: onLine)
    }

    public func upload(_ localPath: String, to remotePath: String) async throws(TransportError) {
        guard let staging else {
            throw failure("uploads over SSM need a staging bucket (with.ssm.bucket) the host can fetch from")
        }
        guard remotePath.hasPrefix("/") else { throw failure("upload destination \(remotePath.debugDescription) is not an absolute path") }
        let staged: SSMStaging.Staged
        do { staged = try await staging.stage(localPath) } catch {
            throw failure("cannot stage \(localPath) in s3://\(staging.bucket)/\(staging.prefix): \(error)")
        }
        // The URL carries a signature: it goes to the host inside the command, never to our output.
        let script = SSMScripts.download(url: staged.url.absoluteString, to: remotePath, size: staged.size, sha256: staged.sha256)
        let lines = Mutex<[String]>([])
        let result = try await run(script, environment: [:], timeout: .seconds(options.downloadTimeoutSeconds)) { _, line in
            lines.withLock { $0.append(line) }
        }
        guard result.succeeded else {
            let said = lines.withLock { $0.suffix(10).joined(separator: " / ") }
            throw failure("fetching s3://\(staging.bucket)/\(staged.key) to \(remotePath) failed (\(result.termination)): \(said)")
        }
    }

    // MARK: Polling

    static let maxExecutionTimeout = 172_800

    enum PollOutcome: Sendable {
        case success(SSMInvocation)
        case failure(String)
    }

    /// Polls until the invocation is final, with backoff, within a bound: delivery time plus
    /// execution time plus a margin. A stop (timeout or cancellation) sends CancelCommand once
    /// and keeps polling, for at most `cancelWaitSeconds`, to report how the command ended.
    func poll(commandId: String, executionSeconds: Int, stop: StopRequest) async -> PollOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(options.deliveryTimeoutSeconds + executionSeconds + options.marginSeconds)
        var delay = options.initialPollInterval
        var cancelDeadline: ContinuousClock.Instant?
        var lastError = ""
        while true {
            if stop.reason != nil, cancelDeadline == nil {
                cancelDeadline = clock.now + .seconds(options.cancelWaitSeconds)
                do { try await ssm.cancelCommand(commandId: commandId, instanceId: instanceId) } catch {
                    lastError = "CancelCommand failed: \(error)"
                }
            }
            do {
                let invocation = try await ssm.invocation(commandId: commandId, instanceId: instanceId)
                if invocation.isFinal { return .success(invocation) }
            } catch let error as AWSError where error.code == "InvocationDoesNotExist" {
                // SSM creates invocations asynchronously: right after SendCommand this is normal.
                lastError = "no invocation for \(instanceId) yet"
            } catch {
                lastError = "\(error)"
            }
            if let cancelDeadline, clock.now >= cancelDeadline {
                return .failure("still not stopped \(options.cancelWaitSeconds) s after CancelCommand (\(lastError))")
            }
            if clock.now >= deadline, stop.reason == nil {
                // Past every bound SSM itself should have enforced: stop it ourselves.
                stop.request(.timeout)
                continue
            }
            await Self.sleep(delay)
            delay = min(options.maxPollInterval, delay * 2)
        }
    }

    /// Sleeps even when the task is cancelled: after cancellation we still poll, to learn
    /// how the command ended, and `Task.sleep` would return at once.
    static func sleep(_ duration: Duration) async {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { continuation.resume() }
        }
    }

    // MARK: Results

    /// Status details meaning the script never ran: no exit status to report.
    static let notRunDetails: [String: String] = [
        "DeliveryTimedOut": "the SSM agent did not pick the command up in time (is the agent running and the instance managed?)",
        "Undeliverable": "the command could not be delivered (the instance is gone, or not managed by SSM)",
        "Terminated": "the instance was terminated",
        "InvalidPlatform": "the instance's platform does not run AWS-RunShellScript",
        "AccessDenied": "the instance's SSM role may not run this command",
    ]

    func result(of invocation: SSMInvocation, commandId: String, stopped: StopRequest.Reason?, started: ContinuousClock.Instant,
                onLine: @Sendable (ProcessOutputStream, String) -> Void) throws(TransportError) -> ProcessResult {
        if invocation.status != "Success", let why = Self.notRunDetails[invocation.statusDetails] {
            throw failure("command \(commandId) \(invocation.status) (\(invocation.statusDetails)): \(why)")
        }
        for line in Self.lines(invocation.standardOutput) { onLine(.stdout, line) }
        for line in Self.lines(invocation.standardError) { onLine(.stderr, line) }
        for note in Self.truncationNotes(invocation) { onLine(.stderr, note) }
        let code = invocation.responseCode
        var result = ProcessResult(termination: code >= 0 ? .exited(Int32(truncatingIfNeeded: code)) : .signaled(SIGKILL),
                                   timedOut: false, cancelled: false, outputLeftOpen: false,
                                   duration: ContinuousClock.now - started)
        switch invocation.status {
        case "Success":
            result.termination = .exited(0)
        case "TimedOut":
            result.timedOut = true
        case "Cancelled":
            // Our own CancelCommand after our deadline is a timeout; anything else a cancellation.
            if stopped == .timeout { result.timedOut = true } else { result.cancelled = true }
        default:
            // Failed: a script that exited 0 cannot fail; -1 means SSM has no exit status.
            if code == 0 || code < 0 {
                result.termination = .exited(1)
                onLine(.stderr, "[slipway] SSM reports the command \(invocation.status) (\(invocation.statusDetails)) with response code \(code)")
            }
        }
        return result
    }

    /// SSM cuts output without saying so: its length is the only hint.
    static func truncationNotes(_ invocation: SSMInvocation) -> [String] {
        var notes: [String] = []
        if invocation.standardOutput.count >= SSMClient.maxStandardOutput {
            notes.append("[slipway] SSM keeps only the first \(SSMClient.maxStandardOutput) characters of a command's stdout: the rest of this script's output is lost")
        }
        if invocation.standardError.count >= SSMClient.maxStandardError {
            notes.append("[slipway] SSM keeps only the first \(SSMClient.maxStandardError) characters of a command's stderr: the rest of this script's errors are lost")
        }
        return notes
    }

    static func lines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private func failure(_ message: String) -> TransportError {
        TransportError(host: description, message: message)
    }
}

/// Timing of one SSM host's commands.
public struct SSMTransportOptions: Sendable {
    /// `TimeoutSeconds` of SendCommand: how long a command may wait for the agent (≥ 30).
    public var deliveryTimeoutSeconds: Int
    /// Polls start this often and back off (doubling) to `maxPollInterval`.
    public var initialPollInterval: Duration
    public var maxPollInterval: Duration
    /// Beyond delivery + execution time before we cancel the command ourselves.
    public var marginSeconds: Int
    /// How long to wait for a cancelled command to report `Cancelled`.
    public var cancelWaitSeconds: Int
    /// Execution timeout of the command that fetches a bundle.
    public var downloadTimeoutSeconds: Int
    /// `Comment` of every command (shown in the SSM console).
    public var comment: String?
    /// Told each command id as soon as SSM accepted it (for logs, and for tests that read the
    /// command back with ListCommands).
    public var commandSent: (@Sendable (String) -> Void)?

    public init(deliveryTimeoutSeconds: Int = 600, initialPollInterval: Duration = .milliseconds(250),
                maxPollInterval: Duration = .seconds(5), marginSeconds: Int = 60, cancelWaitSeconds: Int = 60,
                downloadTimeoutSeconds: Int = 900, comment: String? = nil, commandSent: (@Sendable (String) -> Void)? = nil) {
        self.commandSent = commandSent
        self.deliveryTimeoutSeconds = deliveryTimeoutSeconds
        self.initialPollInterval = initialPollInterval
        self.maxPollInterval = maxPollInterval
        self.marginSeconds = marginSeconds
        self.cancelWaitSeconds = cancelWaitSeconds
        self.downloadTimeoutSeconds = downloadTimeoutSeconds
        self.comment = comment
    }
}

/// Why a run is being stopped; set once, by the first of timeout and cancellation.
final class StopRequest: Sendable {
    enum Reason: Sendable { case timeout, cancellation }
    private let state = Mutex<Reason?>(nil)
    var reason: Reason? { state.withLock { $0 } }
    func request(_ reason: Reason) { state.withLock { if $0 == nil { $0 = reason } } }
}

extension Duration {
    /// Whole seconds, rounded up, at least 1.
    var wholeSeconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
