import SlipwayEvents
import SlipwayProcess

/// How a build step that ran ended.
public struct StepOutcome: Sendable, Equatable {
    public var step: String
    public var status: Event.Status
    public var termination: Termination
    public var duration: Duration
    /// A background process the step started still held its output open when it exited.
    public var outputLeftOpen: Bool

    public init(step: String, status: Event.Status, termination: Termination, duration: Duration, outputLeftOpen: Bool) {
        self.step = step
        self.status = status
        self.termination = termination
        self.duration = duration
        self.outputLeftOpen = outputLeftOpen
    }
}
