import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SlipwayProcess
import Synchronization

/// One probe of a gate: passing, or failing with what was seen.
public struct GateOutcome: Sendable, Equatable {
    public var passed: Bool
    public var detail: String

    public static func pass(_ detail: String) -> GateOutcome { GateOutcome(passed: true, detail: detail) }
    public static func fail(_ detail: String) -> GateOutcome { GateOutcome(passed: false, detail: detail) }
}

/// Something that can probe a gate once. HTTP and command probes are built in; alarm probes
/// come from the AWS client (`AlarmStateReader`).
public protocol GateProbe: Sendable {
    func probe() async -> GateOutcome
}

/// Reads a CloudWatch alarm's state; nil when it cannot be read.
public protocol AlarmStateReader: Sendable {
    func state(ofAlarm name: String) async throws -> String
}

public struct HTTPProbe: GateProbe {
    public var url: String
    public var status: Int
    public var body: String?
    public var timeout: Duration

    public func probe() async -> GateOutcome {
        guard let target = URL(string: url) else { return .fail("\(url) is not a URL") }
        var request = URLRequest(url: target)
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let code = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard code == status else { return .fail("HTTP \(code), expected \(status)") }
            if let body, !String(decoding: data, as: UTF8.self).contains(body) {
                return .fail("HTTP \(code) but the body lacks \"\(body)\"")
            }
            return .pass("HTTP \(code)")
        } catch {
            return .fail("no answer: \(error.localizedDescription)")
        }
    }
}

public struct CommandProbe: GateProbe {
    public var run: String
    public var directory: String
    public var environment: [String: String]
    public var timeout: Duration

    public func probe() async -> GateOutcome {
        let spec = ProcessSpec(arguments: ["/bin/sh", "-c", run], environment: environment,
                               workingDirectory: directory, timeout: timeout, killGrace: .seconds(2))
        let lastLine = LastLine()
        do {
            let result = try await runProcess(spec, onLine: { _, line in lastLine.set(line) })
            if result.timedOut { return .fail("timed out after \(DurationText.format(timeout))") }
            if result.succeeded { return .pass("exit 0") }
            return .fail("\(result.termination)" + (lastLine.get().map { ": \($0)" } ?? ""))
        } catch {
            return .fail("\(error)")
        }
    }
}

public struct AlarmProbe: GateProbe {
    public var name: String
    public var reader: any AlarmStateReader

    public func probe() async -> GateOutcome {
        do {
            let state = try await reader.state(ofAlarm: name)
            return state == "ALARM" ? .fail("alarm \(name) is in ALARM") : .pass("alarm \(name) \(state)")
        } catch {
            // CodeDeploy's default (ignorePollAlarmFailure = false): an unreadable alarm stops
            // the deployment, since nobody can tell whether it is firing.
            return .fail("cannot read alarm \(name): \(error)")
        }
    }
}

final class LastLine: Sendable {
    private let line = Mutex<String?>(nil)
    func set(_ value: String) { line.withLock { $0 = value } }
    func get() -> String? { line.withLock { $0 } }
}

/// Watches a stage's gates while a deployment bakes. Each gate is probed at its interval; a gate
/// fails the deployment once it fails more than its budget of consecutive probes, so a single
/// flaky answer does not roll back a good release.
public actor GateMonitor {
    public struct Watched: Sendable {
        public var name: String
        public var probe: any GateProbe
        public var interval: Duration
        public var failureBudget: Int

        public init(name: String, probe: any GateProbe, interval: Duration, failureBudget: Int) {
            self.name = name
            self.probe = probe
            self.interval = interval
            self.failureBudget = failureBudget
        }
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var gate: String
        public var detail: String
        public var description: String { "gate \(gate) failed: \(detail)" }
    }

    private let gates: [Watched]
    private var consecutiveFailures: [Int]
    private var nextProbe: [ContinuousClock.Instant]
    private var lastDetail: [String]

    public init(gates: [Watched]) {
        self.gates = gates
        consecutiveFailures = Array(repeating: 0, count: gates.count)
        nextProbe = Array(repeating: .now, count: gates.count)
        lastDetail = Array(repeating: "not probed yet", count: gates.count)
    }

    /// A short summary for progress lines ("alarm HighErrors OK, http …: HTTP 200").
    public func summary() -> String {
        gates.indices.map { "\(gates[$0].name): \(lastDetail[$0])" }.joined(separator: "; ")
    }

    /// Probes every gate that is due; throws when one has used up its failure budget.
    public func probeDue() async throws(Failure) {
        let now = ContinuousClock.now
        for index in gates.indices where nextProbe[index] <= now {
            let outcome = await gates[index].probe.probe()
            lastDetail[index] = outcome.detail
            nextProbe[index] = ContinuousClock.now + gates[index].interval
            if outcome.passed {
                consecutiveFailures[index] = 0
            } else {
                consecutiveFailures[index] += 1
                if consecutiveFailures[index] > gates[index].failureBudget {
                    throw Failure(gate: gates[index].name, detail: outcome.detail)
                }
            }
        }
    }

    /// Waits `duration`, probing gates as they fall due; `progress` is told how long remains.
    public func bake(for duration: Duration, isCancelled: @Sendable () -> Bool,
                     progress: @Sendable (Duration, String) -> Void) async throws(Failure) -> Bool {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if isCancelled() { return false }
            try await probeDue()
            progress(end - ContinuousClock.now, summary())
            let soonest = nextProbe.min() ?? end
            let wake = min(end, soonest, ContinuousClock.now + .seconds(1))
            try? await Task.sleep(until: wake, clock: .continuous)
        }
        try await probeDue()
        return true
    }
}
