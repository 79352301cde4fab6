import Foundation
import SlipwayArchive
import SlipwayYAML

/// What `slipway validate` reports for an appspec file or a whole revision bundle: the appspec's
/// errors and warnings and, for a bundle, what only the bundle can tell (a hook script that is
/// not there, two sources copied onto one destination).
public enum RevisionCheck {
    /// True for the names `validate` treats as an appspec rather than a pipeline.
    public static func isAppSpec(_ path: String) -> Bool {
        AppSpecFile.names.contains((path as NSString).lastPathComponent)
    }

    public static func isBundle(_ path: String) -> Bool {
        ArchiveFormat(fileName: path) != nil
    }

    public static func check(appSpec path: String) -> [Diagnostic] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return [Diagnostic(.error, file: path, mark: nil, message: "cannot read the file")]
        }
        return AppSpecLoader.load(bytes: Array(data), file: path).diagnostics
    }

    public static func check(bundle path: String) -> [Diagnostic] {
        guard let format = ArchiveFormat(fileName: path) else {
            return [Diagnostic(.error, file: path, mark: nil, message: "not a revision archive (.tgz, .tar, .zip, .tzst)")]
        }
        let scratch = NSTemporaryDirectory() + "slipway-check-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let bundle = try LocalBundle.unpack(archive: path, format: format.rawValue, into: scratch + "/bundle")
            guard let specPath = AppSpecFile.find(in: bundle.directory), let data = FileManager.default.contents(atPath: specPath) else {
                return [Diagnostic(.error, file: path, mark: nil, message: "the revision has no appspec.yml at its root")]
            }
            let name = path + ":" + (bundle.hoistedFolder.map { "\($0)/" } ?? "") + (specPath as NSString).lastPathComponent
            let loaded = AppSpecLoader.load(bytes: Array(data), file: name)
            guard let spec = loaded.appSpec else { return loaded.diagnostics }
            // Plan against a placeholder host: planning reads only the bundle.
            let identity = DeploymentIdentity(deploymentId: "d-CHECK", applicationName: "check", deploymentGroupName: "check",
                                              deploymentGroupId: "check")
            _ = try LifecyclePlanner(bundle: bundle, appSpec: spec, layout: HostLayout(), identity: identity).plan()
            return loaded.diagnostics
        } catch let error as PlanError {
            return [Diagnostic(.error, file: path, mark: nil, message: error.message)]
        } catch {
            return [Diagnostic(.error, file: path, mark: nil, message: "\(error)")]
        }
    }
}
