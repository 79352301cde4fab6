import Foundation
import SlipwayArchive

extension LocalBundle {
    /// Unpacks `archive` safely into `directory` (which must not exist) and finds its root: the
    /// archive's single top-level folder when that folder holds the appspec, as the agent hoists it.
    public static func unpack(archive: String, format: String, into directory: String) throws(PlanError) -> LocalBundle {
        do {
            try SafeExtractor.extract(archive: archive, to: directory)
        } catch {
            throw PlanError("cannot unpack the revision \(archive): \(error)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if names.count == 1, let only = names.first, AppSpecFile.find(in: directory + "/" + only) != nil,
           AppSpecFile.find(in: directory) == nil {
            return LocalBundle(archive: archive, format: format, directory: directory + "/" + only, hoistedFolder: only)
        }
        return LocalBundle(archive: archive, format: format, directory: directory)
    }
}

/// Where a revision keeps its appspec: the agent tries appspec.yml, then appspec.yaml.
public enum AppSpecFile {
    public static let names = ["appspec.yml", "appspec.yaml"]

    public static func find(in directory: String) -> String? {
        names.map { directory + "/" + $0 }.first { FileSystem.isRegularFile($0) }
    }

    /// Reads and checks the bundle's appspec; errors fail, warnings are returned.
    public static func load(bundle: LocalBundle) throws(PlanError) -> (appSpec: AppSpec, warnings: [String]) {
        guard let path = find(in: bundle.directory) else {
            throw PlanError("the revision has no appspec.yml at its root")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanError("cannot read \(path)")
        }
        let name = bundle.hoistedFolder.map { "\($0)/" } ?? ""
        let result = AppSpecLoader.load(bytes: Array(data), file: name + (path as NSString).lastPathComponent)
        guard let spec = result.appSpec else {
            throw PlanError(result.errors.map(\.description).joined(separator: "\n"))
        }
        return (spec, result.warnings.map(\.description))
    }
}
