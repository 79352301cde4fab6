import Foundation

/// Where SwiftPM put what the tests run as real processes: the test runner lives in the build
/// folder, next to the `slipway` executable and the `.dynamic` plugin products.
public enum BuiltProducts {
    /// The build folder holding both the test bundle and the `slipway` executable.
    public static let folder: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("slipway").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.path
    }()

    /// The `slipway` binary.
    public static let slipway = folder + "/slipway"
}

/// Waits for a started child without holding a thread of Swift's cooperative pool (it has one
/// thread per core; a test blocked in `waitUntilExit` there stalls every other test).
public func waitForExit(_ process: Process) async -> Int32 {
    await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
        Thread {
            process.waitUntilExit()
            continuation.resume(returning: process.terminationStatus)
        }.start()
    }
}
