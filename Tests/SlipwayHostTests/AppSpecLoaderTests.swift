import SlipwayHost
import SlipwayYAML
import Testing

@Suite struct AppSpecLoaderTests {
    @Test func readsEveryKey() throws {
        let result = AppSpecLoader.load(text: """
        version: 0.0
        os: linux
        files:
          - source: app
            destination: /srv/app
        file_exists_behavior: OVERWRITE
        permissions:
          - object: /srv/app
            pattern: "*.sh"
            except: [skip.sh]
            owner: root
            group: root
            mode: 755
            type: [file]
        hooks:
          ApplicationStart:
            - location: scripts/start.sh
              timeout: 30
              runas: web
          ValidateService:
        """, file: "appspec.yml")
        let spec = try #require(result.appSpec, "\(result.diagnostics)")
        #expect(result.diagnostics.isEmpty)
        #expect(spec.files == [FileMapping(source: "app", destination: "/srv/app")])
        #expect(spec.fileExistsBehavior == .overwrite)
        #expect(spec.permissions == [PermissionRule(object: "/srv/app", pattern: "*.sh", except: ["skip.sh"], owner: "root",
                                                    group: "root", mode: "755", types: [.file])])
        #expect(spec.hooks == [.applicationStart: [HookScript(location: "scripts/start.sh", timeout: 30, runas: "web")]])
    }

    @Test func reservedEventsAreErrorsWithTheirPosition() {
        let result = AppSpecLoader.load(text: "version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: x.sh\n", file: "appspec.yml")
        #expect(result.appSpec == nil)
        #expect(result.errors.map(\.description) == ["appspec.yml:4:3: hooks: Install is reserved for the agent and cannot have scripts"])
    }

    @Test func mistakesCodeDeployAcceptsAreWarnings() throws {
        let result = AppSpecLoader.load(text: """
        version: 0.0
        os: linux
        os: linux
        colour: blue
        ApplicationStart:
          - location: start.sh
        hooks:
          AfterInstall:
            - location: after.sh
              timout: 10
        """, file: "appspec.yml")
        #expect(result.appSpec != nil)
        #expect(result.errors.isEmpty)
        let warnings = result.warnings.map(\.description)
        #expect(warnings.contains { $0.hasPrefix("appspec.yml:3:1: warning: duplicate key \"os\"") })
        #expect(warnings.contains("appspec.yml:4:1: warning: unknown key \"colour\" is ignored"))
        #expect(warnings.contains { $0.hasPrefix("appspec.yml:5:1: warning: \"ApplicationStart\" is a lifecycle event outside \"hooks:\"") })
        #expect(warnings.contains { $0.hasPrefix("appspec.yml:10:7: warning: hooks.AfterInstall[0]: unknown key \"timout\"") && $0.contains("timeout") })
    }

    @Test func unsupportedAndInvalidValuesAreErrors() {
        let result = AppSpecLoader.load(text: """
        version: 1.0
        os: linux
        files:
          - source: app
            destination: srv/app
        file_exists_behavior: REPLACE
        permissions:
          - object: /srv/app
            mode: u+x
            acls: ["u:bob:rwx"]
            context: {type: httpd_sys_content_t}
        hooks:
          ApplicationStrat:
            - location: start.sh
              timeout: 0
        """, file: "appspec.yml")
        #expect(result.appSpec == nil)
        let errors = result.errors.map(\.description)
        #expect(errors.contains("appspec.yml:1:10: version: version must be 0.0, found the string \"1.0\""))
        #expect(errors.contains("appspec.yml:5:18: files[0].destination: destination must be an absolute path, found \"srv/app\""))
        #expect(errors.contains { $0.hasPrefix("appspec.yml:6:23: file_exists_behavior: file_exists_behavior must be DISALLOW") })
        #expect(errors.contains { $0.hasPrefix("appspec.yml:9:11: permissions[0].mode: mode must be 1 to 4 octal digits") })
        #expect(errors.contains { $0.hasPrefix("appspec.yml:10:5: permissions[0].acls: acls is not supported") })
        #expect(errors.contains { $0.hasPrefix("appspec.yml:11:5: permissions[0].context: context is not supported") })
        #expect(errors.contains { $0.contains("\"ApplicationStrat\" is not a lifecycle event") && $0.contains("ApplicationStart") })
    }

    @Test func modesArePaddedToThreeDigits() throws {
        let result = AppSpecLoader.load(text: "version: 0.0\nos: linux\npermissions:\n  - object: /a\n    mode: 4\n  - object: /b\n    mode: \"0755\"\n", file: "a.yml")
        let spec = try #require(result.appSpec)
        #expect(spec.permissions.map(\.mode) == ["004", "0755"])
    }

    @Test func emptyFileIsAnError() {
        #expect(AppSpecLoader.load(text: "", file: "appspec.yml").errors.count == 1)
    }
}
