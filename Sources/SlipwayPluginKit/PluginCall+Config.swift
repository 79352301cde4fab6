extension PluginCall {
    /// This call with another config, for a plugin that builds one of its target types from
    /// another of its own (a blue/green target deploying its new hosts through its fleet target).
    /// The state stays with the outer call.
    public func replacingConfig<Other: Decodable & Sendable>(_ config: Other, raw: JSONValue) -> PluginCall<Other> {
        PluginCall<Other>(deploymentId: deploymentId, stage: stage, targetType: targetType, config: config, rawConfig: raw,
                          plan: plan, state: nil, context: context)
    }
}
