/// How many hosts of an in-place fleet must stay healthy while it is deployed to
/// (CodeDeploy's `minimumHealthyHosts`).
public enum MinimumHealthyHosts: Sendable, Equatable, Hashable {
    /// An absolute number of hosts (`HOST_COUNT`). 0 means "deploy to every host at once".
    case hostCount(Int)
    /// A percentage of the fleet (`FLEET_PERCENT`, 0–99), turned into hosts rounding up.
    case fleetPercent(Int)
    /// Every host but one: `CodeDeployDefault.OneAtATime`, which the CodeDeploy API reports as
    /// type `MOST_CONCURRENCY`, value 1 (a type users cannot set themselves).
    case allButOne

    /// The minimum as a number of hosts for a fleet of `hostCount` hosts.
    /// FLEET_PERCENT rounds up, as CodeDeploy does at deployment start, so 95% of 10 is 10.
    public func hosts(outOf hostCount: Int) -> Int {
        switch self {
        case .hostCount(let count): count
        case .fleetPercent(let percent): (percent * hostCount + 99) / 100
        case .allButOne: max(hostCount - 1, 0)
        }
    }

    /// Problems with the value itself, independent of any fleet; empty when valid.
    public func validate() -> [String] {
        switch self {
        case .hostCount(let count) where count < 0:
            ["HOST_COUNT must be 0 or more, got \(count)"]
        case .fleetPercent(let percent) where !(0...99).contains(percent):
            ["FLEET_PERCENT must be between 0 and 99, got \(percent)"]
        default:
            []
        }
    }
}

extension MinimumHealthyHosts: CustomStringConvertible {
    /// CodeDeploy's own vocabulary, for logs and messages: "HOST_COUNT 8", "FLEET_PERCENT 75",
    /// "all but one" (what the API calls MOST_CONCURRENCY 1).
    public var description: String {
        switch self {
        case .hostCount(let count): "HOST_COUNT \(count)"
        case .fleetPercent(let percent): "FLEET_PERCENT \(percent)"
        case .allButOne: "all but one"
        }
    }
}
