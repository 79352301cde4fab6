import Foundation
import Testing
@testable import SlipwayAWS

@Suite("Region and endpoints")
struct ConfigurationTests {
    func configuration(_ variables: [String: String]) throws -> AWSConfiguration {
        try AWSConfiguration(environment: AWSEnvironment(variables: variables, homeDirectory: "/nonexistent"))
    }

    @Test("region precedence: AWS_REGION, AWS_DEFAULT_REGION; none is an error")
    func region() throws {
        #expect(try configuration(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"]).region == "eu-west-1")
        #expect(try configuration(["AWS_DEFAULT_REGION": "us-east-2"]).region == "us-east-2")
        #expect(throws: AWSConfigurationError.noRegion) { try configuration([:]) }
    }

    @Test("per-service endpoint variables beat AWS_ENDPOINT_URL; custom endpoints are path style")
    func endpoints() throws {
        let config = try configuration(["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000/",
                                        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000",
                                        "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://127.0.0.1:7000"])
        #expect(try config.endpoint(for: .s3) == AWSEndpoint(baseURL: URL(string: "http://127.0.0.1:9000")!, signingRegion: "eu-west-1", usesPathStyle: true))
        #expect(try config.endpoint(for: .lambda).baseURL.absoluteString == "http://127.0.0.1:5000")
        #expect(try config.endpoint(for: .elasticLoadBalancingV2).baseURL.absoluteString == "http://127.0.0.1:7000")
        #expect(AWSService.autoScaling.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_AUTO_SCALING")
        #expect(AWSService.cloudWatch.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_CLOUDWATCH")
    }

    @Test("standard endpoints, global IAM, and ignoring configured endpoints")
    func standardEndpoints() throws {
        let config = try configuration(["AWS_REGION": "ap-southeast-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
                                        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"])
        #expect(try config.endpoint(for: .ecs) == AWSEndpoint(baseURL: URL(string: "https://ecs.ap-southeast-2.amazonaws.com")!,
                                                              signingRegion: "ap-southeast-2", usesPathStyle: false))
        #expect(try config.endpoint(for: .cloudWatch).baseURL.host == "monitoring.ap-southeast-2.amazonaws.com")
        #expect(try config.endpoint(for: .iam) == AWSEndpoint(baseURL: URL(string: "https://iam.amazonaws.com")!,
                                                              signingRegion: "us-east-1", usesPathStyle: false))
        #expect(throws: AWSConfigurationError.invalidEndpoint("ftp://x")) {
            try configuration(["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "ftp://x"]).endpoint(for: .s3)
        }
    }
}
