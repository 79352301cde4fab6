/// An EC2/on-premises `appspec.yml`, as CodeDeploy reads it (codedeploy.md §1).
public struct AppSpec: Sendable, Equatable {
    public var os: String
    public var files: [FileMapping]
    /// Nil when the appspec does not say; the deployment's override or DISALLOW applies then.
    public var fileExistsBehavior: FileExistsBehavior?
    public var permissions: [PermissionRule]
    /// Scripts per scriptable event, in list order; events with empty lists are left out.
    public var hooks: [LifecycleEvent: [HookScript]]

    public init(os: String = "linux", files: [FileMapping] = [], fileExistsBehavior: FileExistsBehavior? = nil,
                permissions: [PermissionRule] = [], hooks: [LifecycleEvent: [HookScript]] = [:]) {
        self.os = os
        self.files = files
        self.fileExistsBehavior = fileExistsBehavior
        self.permissions = permissions
        self.hooks = hooks
    }
}

/// One `files:` entry: `source` relative to the bundle root (`/` is the whole bundle),
/// `destination` absolute on the host.
public struct FileMapping: Sendable, Equatable {
    public var source: String
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// What Install does with a destination that already exists after the previous install's files
/// were removed.
public enum FileExistsBehavior: String, Sendable, Equatable, CaseIterable {
    case disallow = "DISALLOW"
    case overwrite = "OVERWRITE"
    case retain = "RETAIN"
}

/// One `permissions:` entry. Applied only to paths this deployment copies or creates.
public struct PermissionRule: Sendable, Equatable {
    public enum ObjectType: String, Sendable, Equatable, CaseIterable {
        case file, directory
    }

    public var object: String
    public var pattern: String
    public var except: [String]
    public var owner: String?
    public var group: String?
    /// Octal digits, left-padded to three ("644", "0755").
    public var mode: String?
    public var types: Set<ObjectType>

    public init(object: String, pattern: String = "**", except: [String] = [], owner: String? = nil,
                group: String? = nil, mode: String? = nil, types: Set<ObjectType> = [.file, .directory]) {
        self.object = object
        self.pattern = pattern
        self.except = except
        self.owner = owner
        self.group = group
        self.mode = mode
        self.types = types
    }
}

/// One script of a hook.
public struct HookScript: Sendable, Equatable {
    /// Relative to the bundle root.
    public var location: String
    /// Seconds; CodeDeploy's default is 3600.
    public var timeout: Int
    /// Run as this user (`su <user> -c`).
    public var runas: String?
    /// The agent's undocumented `sudo: true`.
    public var sudo: Bool

    public init(location: String, timeout: Int = 3600, runas: String? = nil, sudo: Bool = false) {
        self.location = location
        self.timeout = timeout
        self.runas = runas
        self.sudo = sudo
    }
}
