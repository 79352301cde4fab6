#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A started child: its pid (also its process group id), our read ends of its output pipes
/// and, with a `StdinFeed`, our (non-blocking) write end of its stdin.
struct SpawnedChild: Sendable {
    let pid: pid_t
    let stdoutFD: Int32
    let stderrFD: Int32
    var stdinFD: Int32? = nil
}

/// Starts `executable` with posix_spawn so that it leads its own process group (we signal the
/// whole group on timeout), reads stdin from a pipe (`spec.stdinFeed`), `spec.stdinPath` or /dev/null, writes to two fresh pipes, starts with
/// default signal dispositions and an empty mask (an ignored SIGPIPE in our process must not
/// break the child's shell pipelines), and inherits no descriptor but 0, 1 and 2.
func spawnChild(executable: String, spec: ProcessSpec) throws(ProcessError) -> SpawnedChild {
    let argv = try CStringArray(spec.arguments)
    let envp = try CStringArray(spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
    defer { argv.release(); envp.release() }

    // O_CLOEXEC from the start: another thread may spawn concurrently, and a copy of our write
    // end inherited by its child would keep our pipe open long after our child exited.
    let stdoutPipe = try makePipe()
    let stderrPipe: (read: Int32, write: Int32)
    do { stderrPipe = try makePipe() } catch {
        close(stdoutPipe.read); close(stdoutPipe.write)
        throw error
    }
    var stdinPipe: (read: Int32, write: Int32)?
    if spec.stdinFeed != nil {
        do { stdinPipe = try makePipe() } catch {
            close(stdoutPipe.read); close(stdoutPipe.write); close(stderrPipe.read); close(stderrPipe.write)
            throw error
        }
    }
    defer {
        close(stdoutPipe.write); close(stderrPipe.write)
        if let stdinPipe { close(stdinPipe.read) }
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let directory = spec.workingDirectory {
        SpawnExtensions.addChdir(&actions, directory)
    }
    if let stdinPipe {
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, spec.stdinPath ?? "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
    SpawnExtensions.addCloseFrom(&actions, 3)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
    #if canImport(Darwin)
    flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
    #endif
    posix_spawnattr_setflags(&attributes, Int16(flags))
    posix_spawnattr_setpgroup(&attributes, 0)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)

    var pid: pid_t = 0
    let result = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
    guard result == 0 else {
        close(stdoutPipe.read); close(stderrPipe.read)
        if let stdinPipe { close(stdinPipe.write) }
        throw .spawnFailed(executable: executable, errno: result, message: spawnFailureMessage(result))
    }
    if let stdinPipe { _ = fcntl(stdinPipe.write, F_SETFL, fcntl(stdinPipe.write, F_GETFL) | O_NONBLOCK) }
    return SpawnedChild(pid: pid, stdoutFD: stdoutPipe.read, stderrFD: stderrPipe.read, stdinFD: stdinPipe?.write)
}

/// The executable itself was checked before spawning, so these errno values point at the
/// usual culprits of deploy scripts rather than at the file.
private func spawnFailureMessage(_ code: Int32) -> String {
    switch code {
    case ENOENT: "its interpreter (the #! line) or the working directory was not found"
    case ENOEXEC: "not a binary and no #! line naming an interpreter"
    case EACCES: "permission denied (the file, its interpreter or a directory on the way)"
    default: String(cString: strerror(code))
    }
}

private func makePipe() throws(ProcessError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard SpawnExtensions.closeOnExecPipe(&fds) == 0 else { throw .pipeFailed(errno: errno) }
    return (fds[0], fds[1])
}

/// NUL-terminated array of C strings owned by us until `free()`.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) throws(ProcessError) {
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        for string in strings {
            if string.utf8.contains(0) {
                pointers.forEach { free($0) }
                throw .invalidString(string)
            }
            pointers.append(strdup(string))
        }
        pointers.append(nil)
        self.pointers = pointers
    }

    func release() { pointers.forEach { free($0) } }
}
