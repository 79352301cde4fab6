import Foundation

/// Runs `spec` to completion and reports how it ended.
///
/// - `onLine` receives each line of stdout and stderr (without its newline), in order per
///   stream, from a dedicated thread (never the cooperative pool); it must be thread-safe.
/// - `isCancelled` is polled every few tens of milliseconds; task cancellation works too.
/// - On timeout or cancellation the child's whole process group gets SIGTERM, then SIGKILL
///   after `killGrace` if any member still runs.
/// - Returns once the child has exited and its output is drained, or `lingerGrace` after its
///   exit if a background process keeps the pipes open (then `outputLeftOpen` is set; that
///   process is left running, since a hook may legitimately start a daemon).
///
/// Throws only when the process cannot be started.
public func runProcess(
    _ spec: ProcessSpec,
    onLine: @escaping @Sendable (OutputStream, String) -> Void,
    isCancelled: @escaping @Sendable () -> Bool = { false }
) async throws(ProcessError) -> ProcessResult {
    guard let name = spec.arguments.first else { throw .noArguments }
    if let directory = spec.workingDirectory, !ExecutableLookup.isDirectory(directory) {
        throw .workingDirectoryNotFound(path: directory)
    }
    let executable = try ExecutableLookup.resolve(name, environment: spec.environment, workingDirectory: spec.workingDirectory)
    let child = try await spawnRetryingBusyText(executable: executable, spec: spec)

    let cancellation = CancellationFlag()
    let supervisor = Supervisor(child: child, spec: spec, onLine: onLine, isCancelled: isCancelled, cancellation: cancellation)
    return await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<ProcessResult, Never>) in
            let thread = Thread { continuation.resume(returning: supervisor.run()) }
            thread.name = "slipway-process-\(child.pid)"
            thread.start()
        }
    } onCancel: {
        cancellation.set()
    }
}

/// ETXTBSY: the script was just written and some process still has it open for writing. Often
/// that process is a sibling spawned by another thread in the instant between its fork and its
/// exec, holding a copy of the writer's descriptor; it goes away within milliseconds.
private func spawnRetryingBusyText(executable: String, spec: ProcessSpec) async throws(ProcessError) -> SpawnedChild {
    var attempt = 1
    while true {
        do {
            return try spawnChild(executable: executable, spec: spec)
        } catch .spawnFailed(_, ETXTBSY, _) where attempt < 8 {
            attempt += 1
            try? await Task.sleep(for: .milliseconds(5 * attempt))
        }
    }
}
