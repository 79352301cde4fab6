import Foundation
import Testing
@testable import SlipwayProcess

@Suite struct FileDescriptorTests {
    @Test func stdinIsDevNullAndOnlyStandardDescriptorsAreInherited() async throws {
        let lines = LineCollector()
        // `ls` itself opens one descriptor (3) to read the directory.
        _ = try await runProcess(shell("readlink /proc/$$/fd/0; ls /proc/self/fd"), onLine: lines.onLine)
        #expect(lines.lines(.stdout) == ["/dev/null", "0", "1", "2", "3"])
    }

    /// The child names its pipes ("pipe:[inode]"); an inode is unique while the pipe exists, so
    /// finding none of our descriptors pointing at them proves our read ends were closed, even
    /// while other tests open and close descriptors in parallel.
    @Test(arguments: [false, true])
    func ourPipeEndsAreClosedOnReturn(daemonKeepsPipesOpen: Bool) async throws {
        let lines = LineCollector()
        let daemon = daemonKeepsPipesOpen ? "; sleep 30 & echo $!" : ""
        var spec = shell("readlink /proc/$$/fd/1; readlink /proc/$$/fd/2" + daemon)
        spec.lingerGrace = .milliseconds(100)
        let result = try await runProcess(spec, onLine: lines.onLine)
        let output = lines.lines(.stdout)
        if daemonKeepsPipesOpen, let pid = output.last.flatMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        #expect(result.outputLeftOpen == daemonKeepsPipesOpen)
        let pipeNames = Set(output.prefix(2))
        try #require(pipeNames.count == 2 && pipeNames.allSatisfy { $0.hasPrefix("pipe:[") })
        #expect(ourDescriptorTargets().isDisjoint(with: pipeNames))
    }

    private func ourDescriptorTargets() -> Set<String> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") })
    }
}
