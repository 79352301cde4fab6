#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// glibc's `pipe2`, `posix_spawn_file_actions_addchdir_np` (2.29) and `..._addclosefrom_np` (2.34) sit
/// behind `_GNU_SOURCE`, which Swift's Glibc module does not define, so they are not imported.
/// Looking them up at run time keeps this module pure Swift (no C shim target).
enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// The caller checked the directory exists; if it vanishes before exec, posix_spawn
    /// reports the chdir failure as its error.
    static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ directory: String) {
        #if canImport(Darwin)
        posix_spawn_file_actions_addchdir_np(&actions, directory)
        #else
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
            fatalError("posix_spawn_file_actions_addchdir_np missing: glibc 2.29 or later is required")
        }
        _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, directory)
        #endif
    }

    /// Closes every inherited descriptor above `lowest` in the child. Our own pipes are already
    /// close-on-exec; this also covers descriptors other code opened without O_CLOEXEC.
    /// On Darwin `POSIX_SPAWN_CLOEXEC_DEFAULT` does the same job.
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        #if canImport(Glibc)
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
        }
        #endif
    }

    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// A pipe whose both ends are close-on-exec from birth: with `pipe` + `fcntl` another
    /// thread's spawn could inherit an end in between and hold our pipe open.
    static func closeOnExecPipe(_ fds: inout [Int32]) -> Int32 {
        #if canImport(Glibc)
        if let symbol = dlsym(nil, "pipe2") {
            return unsafeBitCast(symbol, to: Pipe2.self)(&fds, O_CLOEXEC)
        }
        #endif
        // Darwin has no pipe2; there POSIX_SPAWN_CLOEXEC_DEFAULT protects our own spawns.
        guard pipe(&fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
    }
}
