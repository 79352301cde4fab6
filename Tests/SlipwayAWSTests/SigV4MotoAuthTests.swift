import SlipwayTestSupport
import Foundation
import Testing
@testable import SlipwayAWS

/// moto checks signatures only after `INITIAL_NO_AUTH_ACTION_COUNT` unauthenticated calls; those
/// calls mint an IAM key, then the signer is judged by a server that rejects bad signatures.
@Suite("SigV4 accepted and rejected by moto with signature checking")
struct SigV4MotoAuthTests {
    @Test("a correctly signed put/get/list passes; a wrong secret and a body changed after signing get 403 SignatureDoesNotMatch")
    func signatureChecking() async throws {
        try await MotoServer.with(authActions: 3) { moto in
            let key = try await Self.mintAccessKey(try moto.client())
            let good = S3Client(client: try moto.client(credentials: key))
            let bucket = uniqueBucketName("auth")
            try await good.createBucket(bucket)
            // moto's own signature check fails for keys with `+` or non-ASCII characters (boto3's
            // requests fail the same way), so this key sticks to what moto canonicalizes correctly;
            // the conformance suite covers the rest of the encoding rules.
            let body = Data("signed content: a+b=c & d/e?".utf8)
            try await good.putObject(bucket: bucket, key: "a dir/file-1.txt", body: body, contentType: "text/plain")
            #expect(try await good.getObject(bucket: bucket, key: "a dir/file-1.txt").data == body)
            // moto also miscomputes query values holding `/` or spaces (boto3 too), hence this prefix.
            let listed = try await good.listObjectsV2(bucket: bucket, prefix: "a", maxKeys: 10)
            #expect(listed.objects.map(\.key) == ["a dir/file-1.txt"])

            var wrongKey = key
            wrongKey.secretAccessKey += "x"
            let wrong = S3Client(client: try moto.client(credentials: wrongKey))
            await #expect {
                try await wrong.putObject(bucket: bucket, key: "k", body: body)
            } throws: { error in
                (error as? AWSError)?.status == 403 && (error as? AWSError)?.code == "SignatureDoesNotMatch"
            }

            let client = try moto.client(credentials: key)
            var tampered = try await client.signedRequest(for: good.request("PutObject", "PUT", bucket: bucket, key: "k",
                                                                             body: .data(body, contentType: "text/plain")))
            // moto trusts the declared x-amz-content-sha256 instead of hashing the body (real S3
            // answers XAmzContentSHA256Mismatch), so the tampering also updates the declared hash,
            // which the signature covers.
            let changed = Data("changed after signing".utf8)
            tampered.body = .data(changed)
            tampered.headers = tampered.headers.map {
                $0.name.lowercased() == "x-amz-content-sha256" ? HTTPHeader($0.name, Digests.sha256Hex(changed)) : $0
            }
            let response = try await client.transport.perform(tampered)
            let (errorBody, status) = (response.body, response.status)
            let parsed = AWSErrorParser.parse(service: "S3", operation: "PutObject", status: status, headers: [:], body: errorBody)
            #expect(parsed.status == 403)
            #expect(parsed.code == "SignatureDoesNotMatch")
            #expect(try await good.headObject(bucket: bucket, key: "k") == nil)
        }
    }

    /// CreateUser, PutUserPolicy, CreateAccessKey: the three unauthenticated calls.
    static func mintAccessKey(_ client: AWSClient) async throws -> AWSCredentials {
        let user = AWSQueryItem("UserName", "slipway-test")
        _ = try await client.send(.query(service: .iam, action: "CreateUser", version: "2010-05-08", parameters: [user]))
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await client.send(.query(service: .iam, action: "PutUserPolicy", version: "2010-05-08",
                                         parameters: [user, AWSQueryItem("PolicyName", "all"), AWSQueryItem("PolicyDocument", policy)]))
        let created = try await client.send(.query(service: .iam, action: "CreateAccessKey", version: "2010-05-08", parameters: [user])).xml()
        let keyId = try #require(created.first("AccessKeyId")?.text)
        let secret = try #require(created.first("SecretAccessKey")?.text)
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret)
    }
}
