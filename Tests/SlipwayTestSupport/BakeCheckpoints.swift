import Foundation

/// A gate that holds every probe of a rollout's bakes until the test lets it go, so a test can
/// look at the target (alias weights, listener weights) or kill the runner at an exact step
/// instead of racing a timer. Polling the target while the runner bakes misses short states on a
/// busy 2-core machine; a held probe cannot be missed: the runner waits for the test.
///
/// Add `gateYAML` to the stage's `gates:`. Probe n creates `reached-n` in the folder and waits
/// for `release-n`, or for `letEveryProbePass()` (how a test lets a resumed run through);
/// `remove()` deletes the folder, which also ends a probe left waiting by a killed runner (its
/// shell outlives the runner in its own process group).
public struct BakeCheckpoints: Sendable {
    public let directory: String

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-checkpoints-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
        #!/bin/sh
        d='\(directory)'
        n=$(( $(ls "$d" | grep -c '^reached-') + 1 ))
        : > "$d/reached-$n"
        while [ -d "$d" ] && [ ! -e "$d/release-$n" ] && [ ! -e "$d/open" ]; do sleep 0.05; done
        """
        try script.write(toFile: directory + "/checkpoint.sh", atomically: true, encoding: .utf8)
    }

    /// One gate entry (a YAML flow mapping): probed every second, so every bake of a second or
    /// more is probed at least once; it may wait as long as the test needs.
    public var gateYAML: String {
        "{name: checkpoint, command: \"sh \(directory)/checkpoint.sh\", interval: 1s, timeout: 30m}"
    }

    /// Waits until probe `number` has been reached, while `isRunning` holds; false when the
    /// runner ended first.
    public func waitFor(_ number: Int, while isRunning: () -> Bool) async throws -> Bool {
        let marker = directory + "/reached-\(number)"
        while !FileManager.default.fileExists(atPath: marker) {
            guard isRunning() else { return FileManager.default.fileExists(atPath: marker) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Lets probe `number` pass.
    public func release(_ number: Int) {
        _ = FileManager.default.createFile(atPath: directory + "/release-\(number)", contents: nil)
    }

    /// Lets every probe pass from now on, held ones included.
    public func letEveryProbePass() {
        _ = FileManager.default.createFile(atPath: directory + "/open", contents: nil)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
