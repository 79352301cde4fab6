import Foundation

/// Scratch folders named after the process that made them (`<prefix><pid>.<unique>`), so a later
/// process can remove the ones a killed runner left behind: a runner stopped by SIGKILL never
/// runs its exit handlers, and each leftover holds an unpacked revision or control sockets.
public enum ScratchFolders {
    /// `<directory>/<prefix><our pid>.` — append something unique (a UUID, mkdtemp's XXXXXX).
    public static func namePrefix(in directory: String, _ prefix: String) -> String {
        path(directory, prefix + "\(getpid()).")
    }

    /// Removes `<directory>/<prefix><pid>.*` folders whose process is gone. Folders of live
    /// processes, of other users' processes (`kill` says EPERM) and names without a pid stay.
    public static func sweep(in directory: String, _ prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let pid = Int32(rest[..<dot]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: path(directory, name))
            }
        }
    }

    private static func path(_ directory: String, _ name: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + name
    }
}
