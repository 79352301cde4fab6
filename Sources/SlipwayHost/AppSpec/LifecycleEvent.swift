/// CodeDeploy's EC2/on-premises lifecycle events, in the order an in-place deployment runs them.
public enum LifecycleEvent: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case start = "Start"
    case beforeBlockTraffic = "BeforeBlockTraffic"
    case blockTraffic = "BlockTraffic"
    case afterBlockTraffic = "AfterBlockTraffic"
    case applicationStop = "ApplicationStop"
    case downloadBundle = "DownloadBundle"
    case beforeInstall = "BeforeInstall"
    case install = "Install"
    case afterInstall = "AfterInstall"
    case applicationStart = "ApplicationStart"
    case validateService = "ValidateService"
    case beforeAllowTraffic = "BeforeAllowTraffic"
    case allowTraffic = "AllowTraffic"
    case afterAllowTraffic = "AfterAllowTraffic"
    case end = "End"

    /// Events only the agent or the service performs; an appspec may not hook them.
    public var isReserved: Bool {
        [.start, .downloadBundle, .install, .blockTraffic, .allowTraffic, .end].contains(self)
    }

    /// The six events that exist only when a load balancer is attached.
    public var isTrafficEvent: Bool {
        [.beforeBlockTraffic, .blockTraffic, .afterBlockTraffic,
         .beforeAllowTraffic, .allowTraffic, .afterAllowTraffic].contains(self)
    }

    /// Hooks whose scripts come from the host's last successful revision, not the new one
    /// (the agent's MAPPING_BETWEEN_HOOKS_AND_DEPLOYMENTS).
    public var runsPreviousRevision: Bool {
        [.applicationStop, .beforeBlockTraffic, .afterBlockTraffic].contains(self)
    }

    public static var scriptable: [LifecycleEvent] { allCases.filter { !$0.isReserved } }

    public static func < (a: LifecycleEvent, b: LifecycleEvent) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
