import Foundation

/// One EC2 instance as deployments see it.
public struct EC2Instance: Sendable, Equatable {
    public var instanceId: String
    public var privateIpAddress: String?
    /// `pending`, `running`, `stopping`, …
    public var state: String
    public var tags: [String: String]

    public init(instanceId: String, privateIpAddress: String?, state: String, tags: [String: String]) {
        self.instanceId = instanceId
        self.privateIpAddress = privateIpAddress
        self.state = state
        self.tags = tags
    }
}

/// The EC2 calls host discovery needs: DescribeInstances filtered by tags.
public struct EC2Client: Sendable {
    public let client: AWSClient
    static let version = "2016-11-15"

    public init(client: AWSClient) {
        self.client = client
    }

    /// Instances carrying every given tag (key = value) and, when `runningOnly`, in state
    /// `running`; follows NextToken until the last page.
    public func instances(tags: [String: String], runningOnly: Bool = true) async throws -> [EC2Instance] {
        var filters: [(name: String, value: String)] = tags.sorted { $0.key < $1.key }.map { ("tag:" + $0.key, $0.value) }
        if runningOnly { filters.append(("instance-state-name", "running")) }
        var parameters: [AWSQueryItem] = []
        for (index, filter) in filters.enumerated() {
            parameters.append(AWSQueryItem("Filter.\(index + 1).Name", filter.name))
            parameters.append(AWSQueryItem("Filter.\(index + 1).Value.1", filter.value))
        }
        return try await describe(parameters)
    }

    /// The given instances, whatever their state.
    public func instances(ids: [String]) async throws -> [EC2Instance] {
        guard !ids.isEmpty else { return [] }
        return try await describe(ids.enumerated().map { AWSQueryItem("InstanceId.\($0.offset + 1)", $0.element) })
    }

    /// DescribeInstances, following NextToken until the last page.
    private func describe(_ parameters: [AWSQueryItem]) async throws -> [EC2Instance] {
        var found: [EC2Instance] = []
        var nextToken: String?
        repeat {
            var page = parameters
            if let nextToken { page.append(AWSQueryItem("NextToken", nextToken)) }
            let request = AWSRequest.query(service: .ec2, action: "DescribeInstances", version: Self.version, parameters: page)
            let root = try await client.send(request).xml()
            found += Self.instances(in: root)
            nextToken = root.child("nextToken")?.text.nilIfEmpty
        } while nextToken != nil
        return found
    }

    /// The instances of a DescribeInstances response (reservationSet/item/instancesSet/item).
    static func instances(in root: AWSXML.Element) -> [EC2Instance] {
        var found: [EC2Instance] = []
        for reservation in root.child("reservationSet")?.children("item") ?? [] {
            for item in reservation.child("instancesSet")?.children("item") ?? [] {
                guard let id = item["instanceId"] else { continue }
                var tags: [String: String] = [:]
                for tag in item.child("tagSet")?.children("item") ?? [] {
                    if let key = tag["key"] { tags[key] = tag["value"] ?? "" }
                }
                found.append(EC2Instance(instanceId: id, privateIpAddress: item["privateIpAddress"]?.nilIfEmpty,
                                         state: item.child("instanceState")?["name"] ?? "unknown", tags: tags))
            }
        }
        return found
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
