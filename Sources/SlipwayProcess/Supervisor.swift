import Foundation
import Synchronization

/// Set from a task-cancellation handler, read by the supervisor thread.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// Watches one child on a dedicated thread: reads both pipes with poll(2), reaps the child with
/// a non-blocking waitpid, and enforces timeout, cancellation, kill grace and linger grace.
/// One thread does all of it, so lines are delivered in order and no lock is needed; the
/// fixed poll tick also bounds how late a cancellation request is noticed.
struct Supervisor {
    let child: SpawnedChild
    let spec: ProcessSpec
    let onLine: @Sendable (OutputStream, String) -> Void
    let isCancelled: @Sendable () -> Bool
    let cancellation: CancellationFlag

    static let tick: Duration = .milliseconds(50)
    static let maxReadsPerWake = 16

    private enum StopReason { case timeout, cancellation }

    private struct OpenPipe {
        let fd: Int32
        let stream: OutputStream
        var splitter: LineSplitter
    }

    /// Our write end of the child's stdin and the bytes of the feed not yet written.
    private struct InputPipe {
        let fd: Int32
        let feed: StdinFeed
        var pending: [UInt8] = []
        var offset = 0
        var finished = false

        var wantsWrite: Bool { offset < pending.count }

        /// Takes what the feed has; true once everything is written and the feed is finished.
        mutating func refill() -> Bool {
            let (bytes, done) = feed.take()
            if !bytes.isEmpty {
                if offset == pending.count { pending = bytes; offset = 0 } else { pending += bytes }
            }
            finished = finished || done
            return finished && !wantsWrite
        }

        /// Writes what the pipe takes without blocking; false once the reader is gone.
        mutating func write() -> Bool {
            while offset < pending.count {
                let count = pending[offset...].withUnsafeBytes { bytes in
                    #if canImport(Glibc)
                    Glibc.write(fd, bytes.baseAddress, bytes.count)
                    #else
                    Darwin.write(fd, bytes.baseAddress, bytes.count)
                    #endif
                }
                if count > 0 { offset += count; continue }
                if count < 0 && errno == EINTR { continue }
                return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
            }
            return true
        }
    }

    func run() -> ProcessResult {
        let clock = ContinuousClock()
        let start = clock.now
        let timeoutDeadline = spec.timeout.map { start + $0 }
        var pipes = [
            OpenPipe(fd: child.stdoutFD, stream: .stdout, splitter: LineSplitter(maxLineBytes: spec.maxLineBytes)),
            OpenPipe(fd: child.stderrFD, stream: .stderr, splitter: LineSplitter(maxLineBytes: spec.maxLineBytes)),
        ]
        for pipe in pipes { _ = fcntl(pipe.fd, F_SETFL, fcntl(pipe.fd, F_GETFL) | O_NONBLOCK) }
        var input = child.stdinFD.flatMap { fd in spec.stdinFeed.map { InputPipe(fd: fd, feed: $0) } }

        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var termination: Termination?
        var exitedAt: ContinuousClock.Instant?
        var stopReason: StopReason?
        var killDeadline: ContinuousClock.Instant?
        var killSentAt: ContinuousClock.Instant?

        while true {
            let now = clock.now
            if termination == nil, let status = reap() {
                termination = status
                exitedAt = now
            }
            if termination == nil, stopReason == nil {
                if let timeoutDeadline, now >= timeoutDeadline {
                    stopReason = .timeout
                } else if cancellation.isSet || isCancelled() {
                    stopReason = .cancellation
                }
                if stopReason != nil {
                    ProcessGroup.signal(child.pid, SIGTERM)
                    killDeadline = now + spec.killGrace
                }
            }
            if let killDeadline, killSentAt == nil, now >= killDeadline {
                if termination == nil || ProcessGroup.hasLiveMembers(child.pid) {
                    ProcessGroup.signal(child.pid, SIGKILL)
                }
                killSentAt = now
            }
            if var pipe = input {
                // End of file once the feed is done; a child that exited reads no more.
                if termination != nil || pipe.refill() {
                    close(pipe.fd)
                    input = nil
                } else {
                    input = pipe
                }
            }
            if let exitedAt {
                // After a timeout or cancellation every member must be gone, not just the leader:
                // a TERM-ignoring grandchild would otherwise outlive the step. Even SIGKILL takes
                // a moment to land, so wait for it too; only a process stuck in the kernel
                // (uninterruptible sleep) can outlast a second grace period, and then we give up
                // rather than hang.
                let groupSettled = stopReason == nil
                    || !ProcessGroup.hasLiveMembers(child.pid)
                    || killSentAt.map { now >= $0 + spec.killGrace } == true
                let lingerFrom = max(exitedAt, killSentAt ?? exitedAt)
                if groupSettled && (pipes.isEmpty || now >= lingerFrom + spec.lingerGrace) { break }
            }
            readAvailable(&pipes, input: &input, buffer: &buffer, waitingAtMost: Self.tick)
        }

        if let input { close(input.fd) }
        let outputLeftOpen = !pipes.isEmpty
        for index in pipes.indices {
            let stream = pipes[index].stream
            pipes[index].splitter.finish { onLine(stream, $0) }
            close(pipes[index].fd)
        }
        return ProcessResult(
            termination: termination ?? .exited(-1),
            timedOut: stopReason == .timeout,
            cancelled: stopReason == .cancellation,
            outputLeftOpen: outputLeftOpen,
            duration: clock.now - start
        )
    }

    /// Non-blocking waitpid on our child only, so other children of this process are untouched.
    private func reap() -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(child.pid, &status, WNOHANG)
            if result == child.pid { return Termination(waitStatus: status) }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: someone else reaped it (a SIGCHLD handler with waitpid(-1)); the status
            // is lost, report an impossible exit code rather than hang.
            return .exited(-1)
        }
    }

    /// Waits up to `timeout` for output (or room in the stdin pipe when there is input to
    /// write), then drains every readable pipe and writes what stdin takes. Pipes at EOF are
    /// flushed, closed and removed. With no pipes left this is just the tick's sleep.
    private func readAvailable(_ pipes: inout [OpenPipe], input: inout InputPipe?, buffer: inout [UInt8],
                               waitingAtMost timeout: Duration) {
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var pollFDs = pipes.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        if let input, input.wantsWrite { pollFDs.append(pollfd(fd: input.fd, events: Int16(POLLOUT), revents: 0)) }
        let ready = poll(&pollFDs, nfds_t(pollFDs.count), milliseconds)
        guard ready > 0 else { return }
        if pollFDs.count > pipes.count, pollFDs[pipes.count].revents != 0, var pipe = input {
            if pipe.write() {
                input = pipe
            } else {
                close(pipe.fd)
                input = nil
            }
        }
        var closed: Set<Int32> = []
        for (index, entry) in pollFDs.prefix(pipes.count).enumerated() where entry.revents != 0 {
            let stream = pipes[index].stream
            // Bounded: a writer faster than us (`yes &` left behind) would otherwise keep this
            // loop busy forever and the timeout and linger deadlines would never be checked.
            for _ in 0..<Self.maxReadsPerWake {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    pipes[index].splitter.append(buffer[..<count]) { onLine(stream, $0) }
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
                // EOF, or an error that will not go away: this stream is finished.
                pipes[index].splitter.finish { onLine(stream, $0) }
                close(entry.fd)
                closed.insert(entry.fd)
                break
            }
        }
        pipes.removeAll { closed.contains($0.fd) }
    }
}
