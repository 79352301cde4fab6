import SlipwayHost

/// The runner signals cancellation through a flag, not by cancelling our task; a hook running
/// for minutes must still stop (its process group is terminated when the task is cancelled),
/// so a watcher polls the flag and cancels the deployment's task.
enum CancellationWatch {
    static func run(isCancelled: @escaping @Sendable () -> Bool,
                    _ work: @escaping @Sendable () async throws(HostDeploymentError) -> Void) async throws(HostDeploymentError) {
        let task = Task { () async -> HostDeploymentError? in
            do throws(HostDeploymentError) { try await work() } catch { return error }
            return nil
        }
        let watcher = Task {
            while !Task.isCancelled {
                if isCancelled() {
                    task.cancel()
                    return
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { watcher.cancel() }
        let failure = await task.value
        if task.isCancelled, isCancelled() { throw HostDeploymentError(event: nil, message: "cancelled") }
        if let failure { throw failure }
    }
}
