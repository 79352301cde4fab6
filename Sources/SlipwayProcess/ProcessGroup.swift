import Foundation

/// Signals to and questions about the process group a child leads (its pgid is its pid).
enum ProcessGroup {
    static func signal(_ pgid: pid_t, _ signal: Int32) {
        _ = kill(-pgid, signal)
    }

    /// Whether any member of the group is still running. Zombies do not count: orphaned
    /// grandchildren are re-parented to PID 1, and when PID 1 does not reap (common in
    /// containers) they stay zombies forever while `kill(-pgid, 0)` keeps succeeding.
    static func hasLiveMembers(_ pgid: pid_t) -> Bool {
        // EPERM: members exist but run as another user (a hook run through `su`/`sudo`).
        guard kill(-pgid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let fields = statFieldsAfterCommand(stat), fields.count > 2 else { continue }
            // After "pid (comm)": state, ppid, pgrp, ...
            if fields[2] == String(pgid) && fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
        #else
        return true
        #endif
    }

    /// The command name in /proc/<pid>/stat may itself contain spaces and parentheses, so the
    /// fixed fields start after the LAST ')'.
    static func statFieldsAfterCommand(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
