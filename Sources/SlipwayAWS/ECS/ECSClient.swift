import Foundation

/// One task set of a service, as blue/green deployments see it.
public struct ECSTaskSet: Sendable, Equatable {
    public var arn: String
    public var id: String
    /// `PRIMARY`, `ACTIVE` or `DRAINING`.
    public var status: String
    /// Whatever the creator put there; Slipway puts its deployment id.
    public var externalId: String?
    public var taskDefinition: String
    /// `STEADY_STATE` or `STABILIZING`.
    public var stabilityStatus: String?
    public var computedDesiredCount: Int
    public var runningCount: Int
    public var pendingCount: Int
    /// Target group ARNs the task set's containers are registered in.
    public var targetGroups: [String]

    public init(arn: String, id: String, status: String, externalId: String?, taskDefinition: String, stabilityStatus: String?,
                computedDesiredCount: Int, runningCount: Int, pendingCount: Int, targetGroups: [String]) {
        self.arn = arn
        self.id = id
        self.status = status
        self.externalId = externalId
        self.taskDefinition = taskDefinition
        self.stabilityStatus = stabilityStatus
        self.computedDesiredCount = computedDesiredCount
        self.runningCount = runningCount
        self.pendingCount = pendingCount
        self.targetGroups = targetGroups
    }
}

/// One service with its task sets.
public struct ECSService: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var status: String
    /// `ECS`, `CODE_DEPLOY` or `EXTERNAL`.
    public var deploymentController: String
    public var taskSets: [ECSTaskSet]

    public var primaryTaskSet: ECSTaskSet? { taskSets.first { $0.status == "PRIMARY" } }
}

/// What a new task set runs and where: the replacement of a blue/green deployment.
public struct ECSTaskSetRequest: Sendable, Equatable {
    public var cluster: String
    public var service: String
    public var taskDefinition: String
    public var externalId: String
    public var targetGroup: String
    public var containerName: String
    public var containerPort: Int
    public var launchType: String
    public var platformVersion: String?
    public var subnets: [String]
    public var securityGroups: [String]
    public var assignPublicIp: String?
    /// Percent of the service's desired count.
    public var scalePercent: Double

    public init(cluster: String, service: String, taskDefinition: String, externalId: String, targetGroup: String,
                containerName: String, containerPort: Int, launchType: String = "FARGATE", platformVersion: String? = nil,
                subnets: [String] = [], securityGroups: [String] = [], assignPublicIp: String? = nil, scalePercent: Double = 100) {
        self.cluster = cluster
        self.service = service
        self.taskDefinition = taskDefinition
        self.externalId = externalId
        self.targetGroup = targetGroup
        self.containerName = containerName
        self.containerPort = containerPort
        self.launchType = launchType
        self.platformVersion = platformVersion
        self.subnets = subnets
        self.securityGroups = securityGroups
        self.assignPublicIp = assignPublicIp
        self.scalePercent = scalePercent
    }
}

/// The ECS calls of blue/green deployments with an EXTERNAL deployment controller (JSON 1.1
/// protocol): task definitions, task sets and which of them is primary; plus the cluster and
/// service creation that tests and examples set up with.
public struct ECSClient: Sendable {
    public let client: AWSClient
    static let targetPrefix = "AmazonEC2ContainerServiceV20141113"

    public init(client: AWSClient) {
        self.client = client
    }

    /// Registers a task definition given as the RegisterTaskDefinition request body (the
    /// `taskdef.json` CodeDeploy users keep in their revision); returns its ARN.
    public func registerTaskDefinition(_ definition: [String: Any]) async throws -> String {
        let reply = try await call("RegisterTaskDefinition", definition)
        guard let arn = (reply["taskDefinition"] as? [String: Any])?["taskDefinitionArn"] as? String else {
            throw malformed("RegisterTaskDefinition", "no taskDefinition.taskDefinitionArn")
        }
        return arn
    }

    /// Container name → image of a registered task definition (what a deployment really runs).
    public func containerImages(ofTaskDefinition arn: String) async throws -> [String: String] {
        let reply = try await call("DescribeTaskDefinition", ["taskDefinition": arn])
        let containers = (reply["taskDefinition"] as? [String: Any])?["containerDefinitions"] as? [[String: Any]] ?? []
        var images: [String: String] = [:]
        for container in containers {
            if let name = container["name"] as? String { images[name] = container["image"] as? String ?? "" }
        }
        return images
    }

    /// The service with its task sets; nil when the cluster has no such service (or it is INACTIVE).
    public func service(cluster: String, name: String) async throws -> ECSService? {
        let reply = try await call("DescribeServices", ["cluster": cluster, "services": [name]])
        guard let item = (reply["services"] as? [[String: Any]])?.first,
              (item["status"] as? String) != "INACTIVE" else { return nil }
        return ECSService(arn: item["serviceArn"] as? String ?? "", name: item["serviceName"] as? String ?? name,
                          status: item["status"] as? String ?? "",
                          deploymentController: (item["deploymentController"] as? [String: Any])?["type"] as? String ?? "ECS",
                          taskSets: (item["taskSets"] as? [[String: Any]] ?? []).compactMap(Self.taskSet))
    }

    /// Creates a task set. ARNs, not ids, must be used with the task set afterwards (moto
    /// silently ignores ids in UpdateServicePrimaryTaskSet).
    public func createTaskSet(_ request: ECSTaskSetRequest) async throws -> ECSTaskSet {
        var body: [String: Any] = [
            "cluster": request.cluster, "service": request.service, "taskDefinition": request.taskDefinition,
            "externalId": request.externalId, "launchType": request.launchType,
            "loadBalancers": [["targetGroupArn": request.targetGroup, "containerName": request.containerName,
                               "containerPort": request.containerPort]],
            "scale": ["unit": "PERCENT", "value": request.scalePercent],
            // Retries of the same deployment must not create a second task set.
            "clientToken": String(request.externalId.prefix(36)),
        ]
        if let platformVersion = request.platformVersion { body["platformVersion"] = platformVersion }
        if !request.subnets.isEmpty {
            var vpc: [String: Any] = ["subnets": request.subnets]
            if !request.securityGroups.isEmpty { vpc["securityGroups"] = request.securityGroups }
            if let assignPublicIp = request.assignPublicIp { vpc["assignPublicIp"] = assignPublicIp }
            body["networkConfiguration"] = ["awsvpcConfiguration": vpc]
        }
        let reply = try await call("CreateTaskSet", body)
        guard let taskSet = (reply["taskSet"] as? [String: Any]).flatMap(Self.taskSet) else {
            throw malformed("CreateTaskSet", "no taskSet")
        }
        return taskSet
    }

    /// The given task sets (by ARN) of a service; unknown ones are left out.
    public func taskSets(cluster: String, service: String, arns: [String]) async throws -> [ECSTaskSet] {
        var body: [String: Any] = ["cluster": cluster, "service": service]
        if !arns.isEmpty { body["taskSets"] = arns }
        let reply = try await call("DescribeTaskSets", body)
        return (reply["taskSets"] as? [[String: Any]] ?? []).compactMap(Self.taskSet)
    }

    public func updateServicePrimaryTaskSet(cluster: String, service: String, taskSet arn: String) async throws {
        _ = try await call("UpdateServicePrimaryTaskSet", ["cluster": cluster, "service": service, "primaryTaskSet": arn])
    }

    /// Deletes a task set; `force` also deletes one that has not scaled down to zero.
    public func deleteTaskSet(cluster: String, service: String, taskSet arn: String, force: Bool = true) async throws {
        _ = try await call("DeleteTaskSet", ["cluster": cluster, "service": service, "taskSet": arn, "force": force])
    }

    // MARK: Set-up (tests, examples)

    /// Creates a cluster (idempotent on AWS); returns its ARN.
    public func createCluster(_ name: String) async throws -> String {
        let reply = try await call("CreateCluster", ["clusterName": name])
        return (reply["cluster"] as? [String: Any])?["clusterArn"] as? String ?? ""
    }

    /// Creates a service whose task sets an outside controller (Slipway) manages; returns its ARN.
    public func createExternalService(cluster: String, name: String, desiredCount: Int) async throws -> String {
        let reply = try await call("CreateService", [
            "cluster": cluster, "serviceName": name, "desiredCount": desiredCount,
            "deploymentController": ["type": "EXTERNAL"],
        ])
        return (reply["service"] as? [String: Any])?["serviceArn"] as? String ?? ""
    }

    // MARK: Wire

    func call(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let response = try await client.send(.json(service: .ecs, targetPrefix: Self.targetPrefix, operation: operation, body: data))
        if response.body.isEmpty { return [:] }
        guard let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw malformed(operation, "the response is not a JSON object")
        }
        return object
    }

    static func taskSet(_ item: [String: Any]) -> ECSTaskSet? {
        guard let arn = item["taskSetArn"] as? String else { return nil }
        return ECSTaskSet(arn: arn, id: item["id"] as? String ?? arn, status: item["status"] as? String ?? "",
                          externalId: item["externalId"] as? String, taskDefinition: item["taskDefinition"] as? String ?? "",
                          stabilityStatus: item["stabilityStatus"] as? String,
                          computedDesiredCount: (item["computedDesiredCount"] as? NSNumber)?.intValue ?? 0,
                          runningCount: (item["runningCount"] as? NSNumber)?.intValue ?? 0,
                          pendingCount: (item["pendingCount"] as? NSNumber)?.intValue ?? 0,
                          targetGroups: (item["loadBalancers"] as? [[String: Any]] ?? []).compactMap { $0["targetGroupArn"] as? String })
    }

    func malformed(_ operation: String, _ detail: String) -> AWSError {
        AWSError(service: "ECS", operation: operation, status: 200, code: "MalformedResponse", message: detail)
    }
}
