import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// One host of the stage: a static `with.hosts` entry or a discovered instance, with how to reach it.
struct ResolvedHost: Sendable {
    var entry: HostEntry
    var healthy: Bool
}

/// Finds the stage's hosts in AWS (running instances by tag, or an Auto Scaling group's
/// instances) and turns each instance into a host entry through `hostMap` or `reach`.
enum EC2Discovery {
    /// All hosts of the stage: the static list first, then discovered instances not already listed.
    static func hosts(_ config: EC2Config, targetType: String) async throws(PluginError) -> [ResolvedHost] {
        var resolved = (config.hosts ?? []).map { ResolvedHost(entry: $0, healthy: true) }
        if targetType == "asg" && config.discover?.autoScalingGroup == nil {
            throw PluginError.invalidConfig("an asg stage needs with.discover.autoScalingGroup")
        }
        guard let discover = config.discover else {
            if resolved.isEmpty { throw PluginError.invalidConfig("give with.hosts or with.discover (tags or autoScalingGroup)") }
            return resolved
        }
        if (discover.tags ?? [:]).isEmpty && discover.autoScalingGroup == nil {
            throw PluginError.invalidConfig("with.discover needs tags or autoScalingGroup")
        }
        let client = try awsClient(config)
        let region = client.configuration.region
        for instance in try await instances(discover, client: client, region: region)
        where !resolved.contains(where: { $0.entry.id == instance.instance.instanceId }) {
            resolved.append(ResolvedHost(entry: try entry(for: instance.instance, config: config), healthy: instance.healthy))
        }
        return resolved
    }

    private static func instances(_ discover: DiscoverySettings, client: AWSClient, region: String) async throws(PluginError) -> [(instance: EC2Instance, healthy: Bool)] {
        let ec2 = EC2Client(client: client)
        do {
            if let group = discover.autoScalingGroup {
                let members = try await AutoScalingClient(client: client).instances(ofGroup: group)
                    .filter { $0.lifecycleState != "Terminating" && $0.lifecycleState != "Terminated" }
                guard !members.isEmpty else { throw PluginError.notFound("Auto Scaling group \(group) has no instances in \(region)") }
                // The group says which instances exist; EC2 gives their addresses and tags.
                let described = try await ec2.instances(ids: members.map(\.instanceId))
                var found: [(instance: EC2Instance, healthy: Bool)] = []
                for member in members {
                    let instance = described.first { $0.instanceId == member.instanceId }
                        ?? EC2Instance(instanceId: member.instanceId, privateIpAddress: nil, state: "unknown", tags: [:])
                    // Tags given with a group narrow it down.
                    if let wanted = discover.tags, !wanted.allSatisfy({ instance.tags[$0.key] == $0.value }) { continue }
                    found.append((instance: instance, healthy: member.isHealthyInService && instance.state == "running"))
                }
                return found
            }
            let tags = discover.tags ?? [:]
            let found = try await ec2.instances(tags: tags)
            guard !found.isEmpty else {
                let described = tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                throw PluginError.notFound("no running instances match tag \(described) in \(region)")
            }
            return found.map { (instance: $0, healthy: $0.state == "running") }
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError.failed("discovering hosts in \(region): \(error)")
        }
    }

    /// The host entry of a discovered instance: its hostMap entry, else `reach`.
    static func entry(for instance: EC2Instance, config: EC2Config) throws(PluginError) -> HostEntry {
        let id = instance.instanceId
        let transport = config.reach?.transport ?? "ssh"
        if let mapped = config.hostMap?[id] {
            // An ssh entry without an alias keeps the address `reach` gives: the map then only
            // adds a root or env (tests: instances reached by their address, each in a folder).
            let reached = mapped.alias == nil && (mapped.transport ?? config.transport) == "ssh"
            let alias = reached ? try address(of: instance, config: config) : mapped.alias
            return HostEntry(id: id, transport: mapped.transport, root: mapped.root, env: mapped.env, alias: alias)
        }
        // A folder per instance under with.root: how tests and demos stand in for new instances.
        if transport == "local", config.root != nil { return HostEntry(id: id, transport: "local") }
        // SSM addresses the instance by its id: nothing to look up.
        if transport == "ssm" { return HostEntry(id: id, transport: "ssm") }
        guard transport == "ssh" else {
            throw PluginError.invalidConfig("instance \(id): reach.transport \(transport) needs a hostMap entry for it")
        }
        return HostEntry(id: id, transport: "ssh", alias: try address(of: instance, config: config))
    }

    /// The ssh alias or host name `reach.address` picks for an instance.
    static func address(of instance: EC2Instance, config: EC2Config) throws(PluginError) -> String {
        let address: String?
        switch config.reach?.address ?? "privateIp" {
        case "privateIp": address = instance.privateIpAddress
        case "instanceId": address = instance.instanceId
        case let tag where tag.hasPrefix("tag:"): address = instance.tags[String(tag.dropFirst(4))]
        case let other: throw PluginError.invalidConfig("reach.address \(other): use privateIp, instanceId or tag:<Key>")
        }
        guard let address, !address.isEmpty else {
            throw PluginError.failed("instance \(instance.instanceId) has no \(config.reach?.address ?? "privateIp") to reach it by")
        }
        return address
    }

    /// The AWS client for discovery: the standard environment, with the stage's region and endpoint.
    static func awsClient(_ config: EC2Config) throws(PluginError) -> AWSClient {
        do {
            return try AWSClient.standard(region: config.region, endpoint: config.endpoint)
        } catch {
            throw PluginError.invalidConfig("AWS configuration for discovery: \(error)")
        }
    }
}
