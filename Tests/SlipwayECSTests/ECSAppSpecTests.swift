import Foundation
import Testing
import SlipwayAppSpec
import SlipwayYAML

@Suite struct ECSAppSpecTests {
    static let valid = """
    version: 0.0
    Resources:
      - TargetService:
          Type: AWS::ECS::Service
          Properties:
            TaskDefinition: <TASK_DEFINITION>
            LoadBalancerInfo:
              ContainerName: web
              ContainerPort: 8080
            PlatformVersion: "1.4.0"
            NetworkConfiguration:
              AwsvpcConfiguration:
                Subnets: [subnet-a, subnet-b]
                SecurityGroups: [sg-1]
                AssignPublicIp: DISABLED
    Hooks:
      - BeforeInstall: checkBefore
      - AfterAllowTestTraffic: smokeTest
      - AfterAllowTestTraffic: loadTest
    """

    @Test func readsEveryPropertyAndHook() throws {
        let result = ECSAppSpecLoader.load(text: Self.valid, file: "appspec.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let spec = try #require(result.appSpec)
        #expect(spec.taskDefinition == "<TASK_DEFINITION>" && spec.taskDefinitionIsPlaceholder)
        #expect(spec.containerName == "web" && spec.containerPort == 8080)
        #expect(spec.platformVersion == "1.4.0")
        #expect(spec.network == .init(subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED"))
        #expect(spec.functions(for: "AfterAllowTestTraffic") == ["smokeTest", "loadTest"])
        #expect(spec.functions(for: "BeforeInstall") == ["checkBefore"])
        #expect(ECSAppSpecLoader.isECS(bytes: Array(Self.valid.utf8)))
    }

    @Test func jsonIsAcceptedToo() throws {
        let json = """
        {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
          "TaskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:3",
          "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80}}}}],
         "Hooks": [{"AfterAllowTraffic": "after"}]}
        """
        let spec = try #require(ECSAppSpecLoader.load(text: json, file: "appspec.json").appSpec)
        #expect(!spec.taskDefinitionIsPlaceholder)
        #expect(spec.functions(for: "AfterAllowTraffic") == ["after"])
    }

    @Test func everyProblemIsReportedAtItsPosition() {
        let broken = """
        version: 0.0
        Resources:
          - TargetService:
              Type: AWS::ECS::Servic
              Properties:
                TaskDefinition: web:3
                LoadBalancerInfo:
                  ContainerName: web
                  ContainerPort: eighty
                NetworkConfiguration:
                  AwsvpcConfiguration:
                    Subnets: []
                    SecurityGroups: [sg-1]
                    AssignPublicIp: MAYBE
        Hooks:
          - AfterInstal: fn
          - AllowTraffic: fn
        """
        let result = ECSAppSpecLoader.load(text: broken, file: "app/appspec.yaml")
        #expect(result.appSpec == nil)
        let lines = result.errors.map(\.description)
        #expect(lines.contains("app/appspec.yaml:4:13: Resources[0].TargetService.Type: Type must be AWS::ECS::Service, found \"AWS::ECS::Servic\""))
        #expect(lines.contains("app/appspec.yaml:9:26: Resources[0].TargetService.Properties.LoadBalancerInfo.ContainerPort: expected an integer, found the string \"eighty\""))
        #expect(lines.contains { $0.hasPrefix("app/appspec.yaml:12:22: ") && $0.contains("Subnets must list at least one subnet") })
        #expect(lines.contains { $0.hasPrefix("app/appspec.yaml:14:29: ") && $0.contains("AssignPublicIp must be ENABLED or DISABLED") })
        #expect(lines.contains("app/appspec.yaml:16:5: Hooks[0]: \"AfterInstal\" is not an ECS lifecycle event (did you mean \"AfterInstall\"?)"))
        #expect(lines.contains("app/appspec.yaml:17:5: Hooks[1]: AllowTraffic is run by the deployment itself and takes no hook"))
        #expect(lines.count == 6, "\(lines)")
    }

    @Test func missingPartsAreNamed() {
        let result = ECSAppSpecLoader.load(text: "version: 1\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties: {LoadBalancerInfo: {ContainerName: web}}\n", file: "appspec.yml")
        let lines = result.errors.map(\.description)
        #expect(lines.contains("appspec.yml:1:10: version: version must be 0.0, found a number") || lines.contains { $0.hasPrefix("appspec.yml:1:10: version: version must be 0.0") })
        #expect(lines.contains { $0.contains("Properties: missing required key \"TaskDefinition\"") })
        #expect(lines.contains { $0.contains("LoadBalancerInfo: missing required key \"ContainerPort\"") })
    }

    @Test func anEC2AppSpecIsNotMistakenForAnECSOne() {
        #expect(!ECSAppSpecLoader.isECS(bytes: Array("version: 0.0\nos: linux\nhooks: {}\n".utf8)))
        #expect(!ECSAppSpecLoader.isECS(bytes: Array("{not yaml".utf8)))
    }
}
