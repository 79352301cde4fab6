/// Why a fleet cannot be rolled out with the requested minimum. Raised before anything changes.
public enum FleetPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The fleet is empty (or the count is negative): there is nothing to deploy to.
    case noHosts(hostCount: Int)
    /// The minimum itself is out of range (see `MinimumHealthyHosts.validate()`).
    case invalidMinimum(MinimumHealthyHosts, problems: [String])
    /// Healthy hosts are already at or below the minimum, which CodeDeploy fails at once.
    case noHostCanBeTakenOutOfService(hostCount: Int, minimum: MinimumHealthyHosts, minimumHealthy: Int)

    public var description: String {
        switch self {
        case .noHosts(let hostCount):
            "a fleet deployment needs at least 1 host, got \(hostCount)"
        case .invalidMinimum(_, let problems):
            problems.joined(separator: "; ")
        case .noHostCanBeTakenOutOfService(let hostCount, let minimum, let minimumHealthy):
            "\(FleetWording.hosts(hostCount)) with minimum \(Self.minimumText(minimum, minimumHealthy)): "
                + "no host can be taken out of service"
        }
    }

    /// "95% healthy (10 hosts)" for percentages, where the rounding is the surprise worth showing;
    /// "12 healthy hosts" for absolute counts.
    private static func minimumText(_ minimum: MinimumHealthyHosts, _ hosts: Int) -> String {
        switch minimum {
        case .fleetPercent(let percent): "\(percent)% healthy (\(FleetWording.hosts(hosts)))"
        case .hostCount(let count): count == 1 ? "1 healthy host" : "\(count) healthy hosts"
        case .allButOne: "all but one healthy (\(FleetWording.hosts(hosts)))"
        }
    }
}
