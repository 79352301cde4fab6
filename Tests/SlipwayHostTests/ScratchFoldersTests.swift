import Foundation
import SlipwayHost
import Testing

/// A runner killed with SIGKILL leaves its scratch folders; the next one removes them, and only them.
@Suite struct ScratchFoldersTests {
    @Test func foldersOfDeadProcessesGoAndTheRestStay() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scratch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A pid that surely exited: a child we started and reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let names = ["slipway-revisions-\(child.processIdentifier).dead", "slipway-revisions-\(getpid()).mine",
                     "slipway-revisions-1.init", "slipway-revisions-no-pid", "other-\(child.processIdentifier).dead"]
        for name in names { try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true) }

        ScratchFolders.sweep(in: directory, "slipway-revisions-")

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(left == Set(names.dropFirst()))
        #expect(ScratchFolders.namePrefix(in: "/tmp", "slipway-ssh.") == "/tmp/slipway-ssh.\(getpid()).")
    }
}
