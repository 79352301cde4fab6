/// "1 host" / "3 hosts", shared by every human-readable line about fleets.
enum FleetWording {
    static func hosts(_ count: Int) -> String { count == 1 ? "1 host" : "\(count) hosts" }
}
