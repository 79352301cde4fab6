import SlipwayTestSupport
import Foundation
@testable import SlipwayAWS

/// A client pointed at a `TestHTTPServer`, with a zero-delay retry sleeper.
func fakeClient(_ server: TestHTTPServer, maxAttempts: Int = 3, variables: [String: String] = [:]) throws -> AWSClient {
    let environment = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": server.baseURL, "AWS_REGION": "us-east-1"].merging(variables) { $1 },
                                     homeDirectory: "/nonexistent")
    return AWSClient(configuration: try AWSConfiguration(environment: environment),
                     credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret")),
                     retryPolicy: AWSRetryPolicy(maxAttempts: maxAttempts, sleep: { _ in }))
}

/// Moto's answer to an operation it does not implement.
let motoStyleHTML500 = """
<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>
"""
