import SlipwayTestSupport
import Foundation
import Synchronization
import Testing
@testable import SlipwayAWS

@Suite("Credential sources")
struct CredentialProviderTests {
    @Test("environment keys, with a session token")
    func environment() async throws {
        let environment = AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"], homeDirectory: "/nonexistent")
        let credentials = try await EnvironmentCredentialProvider(environment: environment).resolveCredentials()
        #expect(credentials == AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s", sessionToken: "t"))
        #expect(!String(describing: credentials!).contains("s,") && !String(describing: credentials!).contains("t)"))
        let none = AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": ""], homeDirectory: "/nonexistent")
        #expect(try await EnvironmentCredentialProvider(environment: none).resolveCredentials() == nil)
        let half = AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": "AKID"], homeDirectory: "/nonexistent")
        await #expect(throws: AWSConfigurationError.incompleteCredentials(source: "the environment")) {
            _ = try await EnvironmentCredentialProvider(environment: half).resolveCredentials()
        }
    }

    @Test("profiles: [name] in credentials, [profile name] in config, credentials file wins")
    func profiles() async throws {
        let home = try TemporaryHome(
            credentials: """
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = default/secret#notacomment

            [dev]
            aws_access_key_id=DEVKEY ; comment
            aws_secret_access_key=devsecret
            aws_session_token = devtoken
            """,
            config: """
            [default]
            region = us-west-2
            [profile dev]
            region = eu-central-1
            aws_access_key_id = IGNORED
            s3 =
              addressing_style = path
            [dev]
            region = not-a-profile-section
            [profile cfgonly]
            aws_access_key_id = CFGKEY
            aws_secret_access_key = cfgsecret
            [profile assumed]
            role_arn = arn:aws:iam::123456789012:role/x
            source_profile = default
            """)
        defer { home.remove() }
        func resolve(_ variables: [String: String]) async throws -> AWSCredentials? {
            try await ProfileCredentialProvider(environment: AWSEnvironment(variables: variables, homeDirectory: home.path)).resolveCredentials()
        }
        #expect(try await resolve([:]) == AWSCredentials(accessKeyId: "DEFAULTKEY", secretAccessKey: "default/secret#notacomment"))
        #expect(try await resolve(["AWS_PROFILE": "dev"]) == AWSCredentials(accessKeyId: "DEVKEY", secretAccessKey: "devsecret", sessionToken: "devtoken"))
        #expect(try await resolve(["AWS_PROFILE": "cfgonly"]) == AWSCredentials(accessKeyId: "CFGKEY", secretAccessKey: "cfgsecret"))
        await #expect(throws: AWSConfigurationError.profileNotFound("nope")) { _ = try await resolve(["AWS_PROFILE": "nope"]) }
        await #expect(throws: AWSConfigurationError.unsupportedProfileCredentials(profile: "assumed", setting: "role_arn")) {
            _ = try await resolve(["AWS_PROFILE": "assumed"])
        }
        let devRegion = try AWSConfiguration(environment: AWSEnvironment(variables: ["AWS_PROFILE": "dev"], homeDirectory: home.path)).region
        #expect(devRegion == "eu-central-1")
        let files = SharedConfigFiles(environment: AWSEnvironment(variables: ["AWS_PROFILE": "dev"], homeDirectory: home.path))
        #expect(files.profile("dev")?["s3.addressing_style"] == "path")
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files; no files means not configured")
    func fileLocations() async throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        let credentialsPath = try home.write("creds", "[ci]\naws_access_key_id = CIKEY\naws_secret_access_key = cisecret\n")
        let configPath = try home.write("conf", "[profile ci]\nregion = ap-south-1\n")
        let environment = AWSEnvironment(variables: ["AWS_PROFILE": "ci", "AWS_SHARED_CREDENTIALS_FILE": credentialsPath, "AWS_CONFIG_FILE": configPath],
                                         homeDirectory: home.path)
        #expect(try await ProfileCredentialProvider(environment: environment).resolveCredentials()?.accessKeyId == "CIKEY")
        #expect(try AWSConfiguration(environment: environment).region == "ap-south-1")
        let empty = AWSEnvironment(variables: [:], homeDirectory: home.path)
        #expect(try await ProfileCredentialProvider(environment: empty).resolveCredentials() == nil)
    }

    @Test("container credentials from FULL_URI with the authorization token file")
    func containerCredentials() async throws {
        let server = try TestHTTPServer { request in
            guard request.headers["authorization"] == "Bearer secret-token" else { return .text(401, "no") }
            return .text(200, #"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"cs","Token":"ct","Expiration":"2030-01-02T03:04:05Z"}"#, contentType: "application/json")
        }
        defer { server.stop() }
        let home = try TemporaryHome()
        defer { home.remove() }
        let tokenFile = try home.write("token", "Bearer secret-token\n")
        let environment = AWSEnvironment(variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/v2/credentials",
                                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored"], homeDirectory: home.path)
        let credentials = try #require(try await ContainerCredentialProvider(environment: environment).resolveCredentials())
        #expect(credentials.accessKeyId == "ASIACONTAINER")
        #expect(credentials.sessionToken == "ct")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_553_445))
        #expect(server.requests.map(\.target) == ["/v2/credentials"])

        let tokenEnvironment = AWSEnvironment(variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/v2/credentials",
                                                          "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong"], homeDirectory: home.path)
        await #expect(throws: AWSConfigurationError.self) {
            _ = try await ContainerCredentialProvider(environment: tokenEnvironment).resolveCredentials()
        }
    }

    @Test("container FULL_URI over plain http to a remote host is refused without connecting")
    func containerRemoteHTTPRefused() async throws {
        let environment = AWSEnvironment(variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://metadata.example.invalid/creds"], homeDirectory: "/nonexistent")
        await #expect(throws: AWSConfigurationError.self) {
            _ = try await ContainerCredentialProvider(environment: environment).resolveCredentials()
        }
        #expect(try await ContainerCredentialProvider(environment: AWSEnvironment(variables: [:], homeDirectory: "/")).resolveCredentials() == nil)
    }

    @Test("instance metadata v2: token PUT, then role and credentials with the token")
    func instanceMetadata() async throws {
        let server = try TestHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == nil ? .text(400, "ttl") : .text(200, "imds-token")
            case (_, _) where request.headers["x-aws-ec2-metadata-token"] != "imds-token":
                return .text(401, "token")
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .text(200, "web-role")
            case ("GET", "/latest/meta-data/iam/security-credentials/web-role"):
                return .text(200, #"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"is","Token":"it","Expiration":"2030-01-01T00:00:00Z"}"#)
            default:
                return .text(404, "")
            }
        }
        defer { server.stop() }
        let environment = AWSEnvironment(variables: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL + "/"], homeDirectory: "/nonexistent")
        let credentials = try await InstanceMetadataCredentialProvider(environment: environment).resolveCredentials()
        #expect(credentials?.accessKeyId == "ASIAIMDS")
        #expect(credentials?.sessionToken == "it")
        #expect(server.requests.map { "\($0.method) \($0.path)" } == [
            "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/", "GET /latest/meta-data/iam/security-credentials/web-role",
        ])
    }

    @Test("instance metadata: disabled makes no request; nothing listening means not on EC2")
    func instanceMetadataAbsent() async throws {
        let server = try TestHTTPServer { _ in .text(200, "x") }
        defer { server.stop() }
        let disabled = AWSEnvironment(variables: ["AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL], homeDirectory: "/")
        #expect(try await InstanceMetadataCredentialProvider(environment: disabled).resolveCredentials() == nil)
        #expect(server.requests.isEmpty)
        let closed = AWSEnvironment(variables: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(TestHTTPServer.unusedPort())"], homeDirectory: "/")
        #expect(try await InstanceMetadataCredentialProvider(environment: closed).resolveCredentials() == nil)
    }
}

@Suite("Credential chain")
struct CredentialChainTests {
    /// Hands out credentials expiring `lifetime` after the injected clock, counting calls.
    final class CountingProvider: AWSCredentialProvider {
        let calls = Mutex(0)
        let clock: Mutex<Date>
        let lifetime: TimeInterval?
        let answers: Bool
        var name: String { "counting" }

        init(clock: Date, lifetime: TimeInterval?, answers: Bool = true) {
            self.clock = Mutex(clock)
            self.lifetime = lifetime
            self.answers = answers
        }

        func resolveCredentials() async throws -> AWSCredentials? {
            let call = calls.withLock { value in value += 1; return value }
            guard answers else { return nil }
            let now = clock.withLock { $0 }
            return AWSCredentials(accessKeyId: "KEY\(call)", secretAccessKey: "s", sessionToken: "t",
                                  expiration: lifetime.map { now.addingTimeInterval($0) })
        }
    }

    @Test("the first source with credentials wins")
    func order() async throws {
        let environment = AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "s", "AWS_EC2_METADATA_DISABLED": "true"],
                                         homeDirectory: "/nonexistent")
        #expect(try await AWSCredentialChain.standard(environment: environment).credentials().accessKeyId == "ENVKEY")
        let skipped = CountingProvider(clock: Date(), lifetime: nil, answers: false)
        let second = CountingProvider(clock: Date(), lifetime: nil)
        let chain = AWSCredentialChain(providers: [skipped, second])
        #expect(try await chain.credentials().accessKeyId == "KEY1")
        #expect(skipped.calls.withLock { $0 } == 1)
    }

    @Test("nothing configured lists the sources tried")
    func nothingConfigured() async throws {
        let environment = AWSEnvironment(variables: ["AWS_EC2_METADATA_DISABLED": "true"], homeDirectory: "/nonexistent")
        await #expect {
            _ = try await AWSCredentialChain.standard(environment: environment).credentials()
        } throws: { error in
            guard case AWSConfigurationError.noCredentials(let tried) = error else { return false }
            return tried == ["environment", "profile 'default'", "container credentials", "EC2 instance metadata"]
        }
    }

    @Test("temporary credentials are cached, then refreshed inside the refresh window")
    func caching() async throws {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let clock = Mutex(start)
        let provider = CountingProvider(clock: start, lifetime: 3600)
        let chain = AWSCredentialChain(providers: [provider], refreshWindow: 300, now: { clock.withLock { $0 } })
        #expect(try await chain.credentials().accessKeyId == "KEY1")
        clock.withLock { $0 = start.addingTimeInterval(3000) }
        #expect(try await chain.credentials().accessKeyId == "KEY1")
        #expect(provider.calls.withLock { $0 } == 1)
        clock.withLock { $0 = start.addingTimeInterval(3400) }
        provider.clock.withLock { $0 = start.addingTimeInterval(3400) }
        #expect(try await chain.credentials().accessKeyId == "KEY2")
        #expect(provider.calls.withLock { $0 } == 2)
        let permanent = CountingProvider(clock: start, lifetime: nil)
        let permanentChain = AWSCredentialChain(providers: [permanent])
        for _ in 0..<3 { _ = try await permanentChain.credentials() }
        #expect(permanent.calls.withLock { $0 } == 1)
    }
}
