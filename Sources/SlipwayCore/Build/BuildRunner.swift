import SlipwayEvents
import SlipwayProcess

/// Runs a pipeline's build steps in order, each as `/bin/sh -c <run>`, streaming their output
/// as events. The first step that does not succeed stops the build; later steps never run.
public struct BuildRunner: Sendable {
    public let workspace: String
    public let environment: [String: String]
    public let sink: any EventSink
    public let killGrace: Duration

    /// - Parameters:
    ///   - workspace: absolute directory; steps' `dir` is relative to it.
    ///   - environment: the base environment of every step (e.g. the process environment plus
    ///     the pipeline's `env`). Steps see exactly this plus their own `env` and `SLIPWAY_STEP`.
    ///   - sink: receives every event; wrap it in a `MaskingSink` to mask secrets.
    public init(workspace: String, environment: [String: String], sink: any EventSink, killGrace: Duration = .seconds(5)) {
        self.workspace = workspace
        self.environment = environment
        self.sink = sink
        self.killGrace = killGrace
    }

    public func run(_ steps: [BuildStep], isCancelled: @escaping @Sendable () -> Bool = { false }) async throws(BuildError) -> [StepOutcome] {
        var outcomes: [StepOutcome] = []
        for step in steps {
            if isCancelled() || Task.isCancelled { throw .cancelled(step: step.name) }
            outcomes.append(try await run(step, isCancelled: isCancelled))
        }
        return outcomes
    }

    static func scope(of step: BuildStep) -> String { "build/\(step.name)" }

    private func run(_ step: BuildStep, isCancelled: @escaping @Sendable () -> Bool) async throws(BuildError) -> StepOutcome {
        let scope = Self.scope(of: step)
        let sink = self.sink
        sink.emit(.stepStarted(scope: scope, message: Self.summary(of: step.run)))

        let result: ProcessResult
        do {
            result = try await runProcess(processSpec(for: step), onLine: { stream, line in
                sink.emit(.stepOutput(scope: scope, stream: stream.rawValue, line: line))
            }, isCancelled: isCancelled)
        } catch {
            sink.emit(.stepFinished(scope: scope, status: .failed, duration: nil, message: error.description))
            throw .cannotStart(step: step.name, reason: error.description)
        }

        if result.outputLeftOpen {
            sink.emit(.warning(
                "a background process started by this step still held its output open after the step exited; "
                    + "its later output is not shown. Start daemons with `command >/dev/null 2>&1 &`.",
                scope: scope))
        }
        let (status, failure) = Self.judge(result, step: step)
        sink.emit(.stepFinished(scope: scope, status: status, duration: Self.seconds(result.duration), message: Self.detail(result)))
        if let failure { throw failure }
        return StepOutcome(step: step.name, status: status, termination: result.termination,
                           duration: result.duration, outputLeftOpen: result.outputLeftOpen)
    }

    func processSpec(for step: BuildStep) -> ProcessSpec {
        var environment = self.environment.merging(step.env) { _, stepValue in stepValue }
        environment["SLIPWAY_STEP"] = step.name
        let directory: String = switch step.dir {
        case nil, "", ".": workspace
        case let dir? where dir.hasPrefix("/"): dir
        case let dir?: workspace.hasSuffix("/") ? workspace + dir : workspace + "/" + dir
        }
        return ProcessSpec(arguments: ["/bin/sh", "-c", step.run], environment: environment,
                           workingDirectory: directory, timeout: step.timeout, killGrace: killGrace)
    }

    /// Timeout and cancellation come first: the exit code of a process we terminated says
    /// nothing about the step itself.
    static func judge(_ result: ProcessResult, step: BuildStep) -> (Event.Status, BuildError?) {
        if result.timedOut { return (.timedOut, .stepTimedOut(step: step.name, after: step.timeout ?? result.duration)) }
        if result.cancelled { return (.cancelled, .cancelled(step: step.name)) }
        switch result.termination {
        case .exited(0): return (.succeeded, nil)
        case .exited(let code): return (.failed, .stepFailed(step: step.name, exitCode: code))
        case .signaled(let signal): return (.failed, .stepKilled(step: step.name, signal: signal))
        }
    }

    static func detail(_ result: ProcessResult) -> String {
        if result.timedOut || result.cancelled || result.termination == .exited(0) { return "" }
        switch result.termination {
        case .exited(let code): return "exit code \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }

    /// The first line of the script, marked when more follows: the started line stays one line.
    static func summary(of script: String) -> String {
        let lines = script.split(whereSeparator: \.isNewline)
        guard let first = lines.first else { return "" }
        return lines.count > 1 ? first + " …" : String(first)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
