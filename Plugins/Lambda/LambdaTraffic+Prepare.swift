import Foundation
import SlipwayAWS
import SlipwayPluginKit

/// How `prepare` finds or makes the candidate version: from the revision's code, or from an
/// appspec's versions.
extension LambdaTraffic {
    /// Code mode: the revision zip becomes a published version.
    func prepareCode(_ call: Call, target: LambdaTarget, revision: Revision, plan: inout [String]) async throws -> LambdaDeploymentState {
        let lambda = target.lambda, name = target.function
        guard let wanted = LambdaClient.codeSha256(hex: revision.sha256) else {
            throw PluginError.failed("revision \(revision.sha256) is not a SHA-256")
        }
        let package = try CodePackage.source(for: revision, readFile: !call.plan)
        guard let function = try await aws("reading function \(name)", { try await lambda.functionIfExists(name) }) else {
            throw PluginError.notFound("Lambda function \(name) does not exist in \(target.region); create it first (Slipway updates its code)")
        }
        var versions = try await aws("listing the versions of \(name)", { try await lambda.versions(name) }).filter { $0.version != "$LATEST" }
        try call.context.checkCancellation()

        // The version the alias serves now is the rollback target. On the first deployment there
        // is no alias: it is created on the code the function runs now, so the shift and a
        // rollback have somewhere to start from.
        let original: String
        if let alias = try await aws("reading alias \(target.alias)", { try await lambda.aliasIfExists(name, name: target.alias) }) {
            original = alias.functionVersion
            if !alias.additionalVersionWeights.isEmpty {
                call.context.emit(level: .warning, message: "alias \(target.alias) was mid-shift (\(weightsText(alias.additionalVersionWeights))); this deployment replaces that routing")
            }
        } else if let existing = versions.last(where: { $0.codeSha256 == function.codeSha256 }) {
            original = existing.version
            plan.append("create alias \(target.alias) on version \(original) (the function's current code)")
            if !call.plan { try await createAlias(target, version: original) }
        } else if call.plan {
            original = "the current code"
            plan.append("publish the function's current code as a version and create alias \(target.alias) on it")
        } else {
            _ = try await aws("waiting for \(name) to settle", { try await lambda.waitForUpdate(name, timeout: updateTimeout(call)) })
            let published = try await aws("publishing the current code of \(name)", {
                try await lambda.publishVersion(name, codeSha256: function.codeSha256, description: "before slipway \(call.deploymentId)")
            })
            versions.append(published)
            original = published.version
            call.context.emit(message: "first deployment: published the current code as version \(original)")
            try await createAlias(target, version: original)
        }
        try call.context.checkCancellation()

        // The candidate: a version that already holds this code, or a new one.
        if let existing = versions.last(where: { $0.codeSha256 == wanted }) {
            plan.append("reuse version \(existing.version) of \(name): it already holds this code (CodeSha256 \(wanted))")
            if !call.plan { call.context.emit(message: "version \(existing.version) already holds this code: nothing to upload or publish") }
            return LambdaDeploymentState(function: name, alias: target.alias, original: original, candidate: existing.version)
        }
        if function.codeSha256 != wanted {
            plan.append("update the code of \(name) from \(package.description)")
            if !call.plan, let source = package.source {
                if function.lastUpdateStatus == "InProgress" || function.state == "Pending" {
                    _ = try await aws("waiting for \(name) to settle", { try await lambda.waitForUpdate(name, timeout: updateTimeout(call)) })
                }
                call.context.emit(message: "updating the code of \(name) from \(package.description)")
                _ = try await aws("updating the code of \(name)", { try await lambda.updateFunctionCode(name, source: source) })
            }
        }
        plan.append("wait for the update, then publish a version (guarded by CodeSha256 \(wanted))")
        if call.plan {
            return LambdaDeploymentState(function: name, alias: target.alias, original: original, candidate: "a new version")
        }
        let settled = try await aws("waiting for the code update of \(name)", { try await lambda.waitForUpdate(name, timeout: updateTimeout(call)) })
        guard settled.codeSha256 == wanted else {
            throw PluginError.failed("after the update \(name) holds code \(settled.codeSha256), not this revision's \(wanted): "
                                     + "did something else update the function at the same time?")
        }
        let description = call.config.versionDescription ?? "slipway \(revision.sha256.prefix(12)) (\(call.deploymentId))"
        let published = try await aws("publishing a version of \(name)", {
            try await lambda.publishVersion(name, codeSha256: wanted, description: description)
        })
        call.context.emit(message: "published version \(published.version) of \(name)", fields: ["version": published.version])
        return LambdaDeploymentState(function: name, alias: target.alias, original: original, candidate: published.version)
    }

    /// Appspec mode: both versions exist already; the alias starts on CurrentVersion.
    func prepareAppSpec(_ call: Call, target: LambdaTarget, currentVersion: String, targetVersion: String,
                                plan: inout [String]) async throws -> LambdaDeploymentState {
        let lambda = target.lambda, name = target.function
        for version in [currentVersion, targetVersion] {
            do {
                _ = try await lambda.functionConfiguration(name, qualifier: version)
            } catch let error as AWSError where LambdaClient.isNotFound(error) {
                throw PluginError.notFound("version \(version) of Lambda function \(name) does not exist in \(target.region) (from the appspec)")
            } catch {
                throw PluginError.failed("reading version \(version) of \(name): \(error)")
            }
        }
        if let alias = try await aws("reading alias \(target.alias)", { try await lambda.aliasIfExists(name, name: target.alias) }) {
            guard alias.functionVersion == currentVersion || alias.functionVersion == targetVersion else {
                throw PluginError.failed("alias \(target.alias) of \(name) serves version \(alias.functionVersion), "
                                         + "but the appspec's CurrentVersion is \(currentVersion): update the appspec")
            }
        } else {
            plan.append("create alias \(target.alias) on version \(currentVersion)")
            if !call.plan { try await createAlias(target, version: currentVersion) }
        }
        plan.append("shift alias \(target.alias) from version \(currentVersion) to \(targetVersion) (appspec)")
        return LambdaDeploymentState(function: name, alias: target.alias, original: currentVersion, candidate: targetVersion)
    }

    func createAlias(_ target: LambdaTarget, version: String) async throws {
        do {
            _ = try await target.lambda.createAlias(target.function, name: target.alias, version: version)
        } catch let error as AWSError where error.code == "ResourceConflictException" {
            // Created meanwhile (a retried call): it is there, which is all we wanted.
        } catch {
            throw PluginError.failed("creating alias \(target.alias) of \(target.function): \(error)")
        }
    }
}
