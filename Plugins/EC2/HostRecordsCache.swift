import SlipwayHost
import Synchronization

/// Host records read by `discover`, kept for the `deployHost` of the same deployment that
/// follows, so each host is asked once instead of twice (a shell locally, an ssh round trip
/// remotely). An entry is taken, not read: a second deployHost of the host (a rollback, a
/// retry) reads the host again. Nothing but this deployment changes a host's records in
/// between: the stage's deployment lock keeps other runners out.
final class HostRecordsCache: Sendable {
    static let shared = HostRecordsCache()
    private let entries = Mutex<[String: HostRecords]>([:])

    func store(_ records: HostRecords, for deployment: HostDeployment) {
        entries.withLock { $0[Self.key(deployment)] = records }
    }

    func take(for deployment: HostDeployment) -> HostRecords? {
        entries.withLock { $0.removeValue(forKey: Self.key(deployment)) }
    }

    private static func key(_ deployment: HostDeployment) -> String {
        "\(deployment.transport.description)\n\(deployment.layout.groupDirectory(deployment.identity.deploymentGroupId))\n\(deployment.identity.deploymentId)"
    }
}
