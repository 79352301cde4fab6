import Foundation

/// The Elastic Load Balancing v2 calls deployments need (query protocol, API 2015-12-01):
/// read load balancers, target groups, listeners and rules; move instances in and out of target
/// groups and watch their health; shift a listener's (or rule's) weighted forward between target
/// groups. The Create* calls exist for tests and examples: Slipway never creates load balancers
/// in a deployment.
public struct ELBv2Client: Sendable {
    public let client: AWSClient
    static let version = "2015-12-01"

    public init(client: AWSClient) {
        self.client = client
    }

    /// An action Slipway cannot write back (only `forward` actions are encoded).
    public struct UnsupportedAction: Error, Sendable, CustomStringConvertible {
        public var type: String
        public var description: String { "only forward actions can be written; got a \(type) action" }
    }

    // MARK: Reading

    /// Load balancers by ARN or by name (neither: all of them), following NextMarker.
    public func loadBalancers(arns: [String] = [], names: [String] = []) async throws -> [ELBv2LoadBalancer] {
        let parameters = Self.members("LoadBalancerArns", arns) + Self.members("Names", names)
        return try await paged("DescribeLoadBalancers", parameters, list: "LoadBalancers").map(Self.loadBalancer)
    }

    /// Target groups by ARN, by name, or of one load balancer (none: all), following NextMarker.
    public func targetGroups(arns: [String] = [], names: [String] = [], loadBalancerArn: String? = nil) async throws -> [ELBv2TargetGroup] {
        var parameters = Self.members("TargetGroupArns", arns) + Self.members("Names", names)
        if let loadBalancerArn { parameters.append(AWSQueryItem("LoadBalancerArn", loadBalancerArn)) }
        return try await paged("DescribeTargetGroups", parameters, list: "TargetGroups").map(Self.targetGroup)
    }

    /// The listeners of a load balancer, or the given listeners.
    public func listeners(loadBalancerArn: String? = nil, arns: [String] = []) async throws -> [ELBv2Listener] {
        var parameters = Self.members("ListenerArns", arns)
        if let loadBalancerArn { parameters.append(AWSQueryItem("LoadBalancerArn", loadBalancerArn)) }
        return try await paged("DescribeListeners", parameters, list: "Listeners").map(Self.listener)
    }

    /// The rules of a listener (the default rule included), or the given rules.
    public func rules(listenerArn: String? = nil, arns: [String] = []) async throws -> [ELBv2Rule] {
        var parameters = Self.members("RuleArns", arns)
        if let listenerArn { parameters.append(AWSQueryItem("ListenerArn", listenerArn)) }
        return try await paged("DescribeRules", parameters, list: "Rules").map(Self.rule)
    }

    /// The health of the given targets of a group, or of every registered target. A target
    /// named here that is not registered comes back `unused` / `Target.NotRegistered`.
    public func targetHealth(targetGroupArn: String, targets: [ELBv2Target] = []) async throws -> [ELBv2TargetHealth] {
        let parameters = [AWSQueryItem("TargetGroupArn", targetGroupArn)] + Self.targetParameters(targets)
        let result = try await call("DescribeTargetHealth", parameters)
        return (result.child("TargetHealthDescriptions")?.children("member") ?? []).compactMap(Self.parseTargetHealth)
    }

    // MARK: Changing

    public func registerTargets(targetGroupArn: String, targets: [ELBv2Target]) async throws {
        guard !targets.isEmpty else { return }
        _ = try await call("RegisterTargets", [AWSQueryItem("TargetGroupArn", targetGroupArn)] + Self.targetParameters(targets))
    }

    public func deregisterTargets(targetGroupArn: String, targets: [ELBv2Target]) async throws {
        guard !targets.isEmpty else { return }
        _ = try await call("DeregisterTargets", [AWSQueryItem("TargetGroupArn", targetGroupArn)] + Self.targetParameters(targets))
    }

    /// Replaces a listener's default actions (e.g. a weighted forward); returns the listener as
    /// AWS now has it.
    @discardableResult
    public func modifyListener(arn: String, defaultActions: [ELBv2Action]) async throws -> ELBv2Listener {
        let parameters = [AWSQueryItem("ListenerArn", arn)] + (try Self.actionParameters("DefaultActions", defaultActions))
        let result = try await call("ModifyListener", parameters)
        guard let member = result.child("Listeners")?.children("member").first else { throw Self.missing("ModifyListener", "Listeners") }
        return Self.listener(member)
    }

    /// Replaces a rule's actions, leaving its conditions as they are.
    @discardableResult
    public func modifyRule(arn: String, actions: [ELBv2Action]) async throws -> ELBv2Rule {
        let parameters = [AWSQueryItem("RuleArn", arn)] + (try Self.actionParameters("Actions", actions))
        let result = try await call("ModifyRule", parameters)
        guard let member = result.child("Rules")?.children("member").first else { throw Self.missing("ModifyRule", "Rules") }
        return Self.rule(member)
    }

    // MARK: Creating (tests and examples)

    public func createLoadBalancer(name: String, subnets: [String], type: String = "application") async throws -> ELBv2LoadBalancer {
        let parameters = [AWSQueryItem("Name", name), AWSQueryItem("Type", type)] + Self.members("Subnets", subnets)
        let result = try await call("CreateLoadBalancer", parameters)
        guard let member = result.child("LoadBalancers")?.children("member").first else { throw Self.missing("CreateLoadBalancer", "LoadBalancers") }
        return Self.loadBalancer(member)
    }

    public func createTargetGroup(name: String, vpcId: String, protocol: String = "HTTP", port: Int = 80,
                                  targetType: String = "instance") async throws -> ELBv2TargetGroup {
        let result = try await call("CreateTargetGroup", [
            AWSQueryItem("Name", name), AWSQueryItem("VpcId", vpcId), AWSQueryItem("Protocol", `protocol`),
            AWSQueryItem("Port", String(port)), AWSQueryItem("TargetType", targetType),
        ])
        guard let member = result.child("TargetGroups")?.children("member").first else { throw Self.missing("CreateTargetGroup", "TargetGroups") }
        return Self.targetGroup(member)
    }

    public func createListener(loadBalancerArn: String, protocol: String = "HTTP", port: Int = 80,
                               defaultActions: [ELBv2Action]) async throws -> ELBv2Listener {
        let parameters = [AWSQueryItem("LoadBalancerArn", loadBalancerArn), AWSQueryItem("Protocol", `protocol`),
                          AWSQueryItem("Port", String(port))] + (try Self.actionParameters("DefaultActions", defaultActions))
        let result = try await call("CreateListener", parameters)
        guard let member = result.child("Listeners")?.children("member").first else { throw Self.missing("CreateListener", "Listeners") }
        return Self.listener(member)
    }

    // MARK: Wire

    /// Sends one call and returns its `<Action>Result` element.
    private func call(_ action: String, _ parameters: [AWSQueryItem]) async throws -> AWSXML.Element {
        let request = AWSRequest.query(service: .elasticLoadBalancingV2, action: action, version: Self.version, parameters: parameters)
        let root = try await client.send(request).xml()
        return root.child(action + "Result") ?? AWSXML.Element(name: action + "Result", attributes: [:], children: [], text: "")
    }

    /// The members of `list` over every page (Marker / NextMarker).
    private func paged(_ action: String, _ parameters: [AWSQueryItem], list: String) async throws -> [AWSXML.Element] {
        var found: [AWSXML.Element] = []
        var marker: String?
        repeat {
            var page = parameters
            if let marker { page.append(AWSQueryItem("Marker", marker)) }
            let result = try await call(action, page)
            found += result.child(list)?.children("member") ?? []
            marker = result["NextMarker"]?.nilIfEmpty
        } while marker != nil
        return found
    }

    static func missing(_ action: String, _ element: String) -> AWSError {
        AWSError(service: AWSService.elasticLoadBalancingV2.serviceId, operation: action, status: 200,
                 code: "MalformedResponse", message: "the response has no \(element)")
    }

    static func members(_ name: String, _ values: [String]) -> [AWSQueryItem] {
        values.enumerated().map { AWSQueryItem("\(name).member.\($0.offset + 1)", $0.element) }
    }

    static func targetParameters(_ targets: [ELBv2Target]) -> [AWSQueryItem] {
        var parameters: [AWSQueryItem] = []
        for (index, target) in targets.enumerated() {
            parameters.append(AWSQueryItem("Targets.member.\(index + 1).Id", target.id))
            if let port = target.port { parameters.append(AWSQueryItem("Targets.member.\(index + 1).Port", String(port))) }
        }
        return parameters
    }

    /// `<list>.member.N.…` for forward actions; a weighted forward goes in ForwardConfig.
    static func actionParameters(_ list: String, _ actions: [ELBv2Action]) throws -> [AWSQueryItem] {
        var parameters: [AWSQueryItem] = []
        for (index, action) in actions.enumerated() {
            guard action.type == "forward" else { throw UnsupportedAction(type: action.type) }
            let prefix = "\(list).member.\(index + 1)."
            parameters.append(AWSQueryItem(prefix + "Type", "forward"))
            if let order = action.order { parameters.append(AWSQueryItem(prefix + "Order", String(order))) }
            if let arn = action.targetGroupArn { parameters.append(AWSQueryItem(prefix + "TargetGroupArn", arn)) }
            if let groups = action.forwardTargetGroups {
                for (groupIndex, group) in groups.enumerated() {
                    let groupPrefix = prefix + "ForwardConfig.TargetGroups.member.\(groupIndex + 1)."
                    parameters.append(AWSQueryItem(groupPrefix + "TargetGroupArn", group.targetGroupArn))
                    if let weight = group.weight { parameters.append(AWSQueryItem(groupPrefix + "Weight", String(weight))) }
                }
                if let enabled = action.stickinessEnabled {
                    parameters.append(AWSQueryItem(prefix + "ForwardConfig.TargetGroupStickinessConfig.Enabled", enabled ? "true" : "false"))
                    if let duration = action.stickinessDurationSeconds {
                        parameters.append(AWSQueryItem(prefix + "ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", String(duration)))
                    }
                }
            }
        }
        return parameters
    }

    // MARK: Parsing

    static func loadBalancer(_ member: AWSXML.Element) -> ELBv2LoadBalancer {
        ELBv2LoadBalancer(arn: member["LoadBalancerArn"] ?? "", name: member["LoadBalancerName"] ?? "",
                          dnsName: member["DNSName"]?.nilIfEmpty, state: member.child("State")?["Code"] ?? "unknown",
                          type: member["Type"] ?? "application", vpcId: member["VpcId"]?.nilIfEmpty)
    }

    static func targetGroup(_ member: AWSXML.Element) -> ELBv2TargetGroup {
        ELBv2TargetGroup(arn: member["TargetGroupArn"] ?? "", name: member["TargetGroupName"] ?? "",
                         protocol: member["Protocol"]?.nilIfEmpty, port: member["Port"].flatMap { Int($0) },
                         vpcId: member["VpcId"]?.nilIfEmpty, targetType: member["TargetType"]?.nilIfEmpty ?? "instance",
                         loadBalancerArns: (member.child("LoadBalancerArns")?.children("member") ?? []).map(\.text))
    }

    static func listener(_ member: AWSXML.Element) -> ELBv2Listener {
        ELBv2Listener(arn: member["ListenerArn"] ?? "", loadBalancerArn: member["LoadBalancerArn"] ?? "",
                      port: member["Port"].flatMap { Int($0) }, protocol: member["Protocol"]?.nilIfEmpty,
                      defaultActions: (member.child("DefaultActions")?.children("member") ?? []).map(action))
    }

    static func rule(_ member: AWSXML.Element) -> ELBv2Rule {
        let conditions = (member.child("Conditions")?.children("member") ?? []).map { condition -> ELBv2RuleCondition in
            var values = (condition.child("Values")?.children("member") ?? []).map(\.text)
            if values.isEmpty {
                // The field's own config (PathPatternConfig, HostHeaderConfig, …) holds the values.
                for config in condition.children where config.name.hasSuffix("Config") {
                    values += (config.child("Values")?.children("member") ?? []).map(\.text)
                }
            }
            return ELBv2RuleCondition(field: condition["Field"] ?? "", values: values)
        }
        return ELBv2Rule(arn: member["RuleArn"] ?? "", priority: member["Priority"] ?? "",
                         isDefault: member["IsDefault"] == "true", conditions: conditions,
                         actions: (member.child("Actions")?.children("member") ?? []).map(action))
    }

    static func action(_ member: AWSXML.Element) -> ELBv2Action {
        let forward = member.child("ForwardConfig")
        let groups = forward?.child("TargetGroups")?.children("member").map {
            ELBv2WeightedTargetGroup(targetGroupArn: $0["TargetGroupArn"] ?? "", weight: $0["Weight"].flatMap { Int($0) })
        }
        let stickiness = forward?.child("TargetGroupStickinessConfig")
        return ELBv2Action(type: member["Type"] ?? "", order: member["Order"].flatMap { Int($0) },
                           targetGroupArn: member["TargetGroupArn"]?.nilIfEmpty, forwardTargetGroups: groups,
                           stickinessEnabled: stickiness?["Enabled"].map { $0 == "true" },
                           stickinessDurationSeconds: stickiness?["DurationSeconds"].flatMap { Int($0) })
    }

    static func parseTargetHealth(_ member: AWSXML.Element) -> ELBv2TargetHealth? {
        guard let target = member.child("Target"), let id = target["Id"] else { return nil }
        let health = member.child("TargetHealth")
        return ELBv2TargetHealth(target: ELBv2Target(id: id, port: target["Port"].flatMap { Int($0) }),
                                 state: health?["State"] ?? "unknown", reason: health?["Reason"]?.nilIfEmpty,
                                 description: health?["Description"]?.nilIfEmpty)
    }
}
