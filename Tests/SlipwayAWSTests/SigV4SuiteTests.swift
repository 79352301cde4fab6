import Foundation
import Testing
@testable import SlipwayAWS

@Suite("SigV4 conformance suite")
struct SigV4SuiteTests {
    @Test("the fixture folder holds the whole suite")
    func suiteIsPresent() {
        #expect(SigV4SuiteCase.allNames().count >= 38, "copy the suite to \(SigV4SuiteCase.root.path)")
    }

    @Test("header signing matches", arguments: SigV4SuiteCase.allNames())
    func headerSigning(name: String) throws {
        let suiteCase = try SigV4SuiteCase(name: name)
        let signer = SigV4Signer(credentials: suiteCase.credentials, region: suiteCase.region, service: suiteCase.service, options: suiteCase.options)
        let result = signer.signHeaders(suiteCase.request, date: suiteCase.date)
        #expect(result.canonicalRequest == (try suiteCase.expected("header-canonical-request.txt")))
        #expect(result.stringToSign == (try suiteCase.expected("header-string-to-sign.txt")))
        #expect(result.signature == (try suiteCase.expected("header-signature.txt")))
        let signedRequest = try suiteCase.expected("header-signed-request.txt")
        let expectedAuthorization = signedRequest.split(separator: "\n")
            .first { $0.hasPrefix("Authorization:") }.map { String($0.dropFirst("Authorization:".count)) }
        #expect(result.authorization == expectedAuthorization)
    }

    @Test("query (presigned) signing matches", arguments: SigV4SuiteCase.allNames())
    func querySigning(name: String) throws {
        let suiteCase = try SigV4SuiteCase(name: name)
        let signer = SigV4Signer(credentials: suiteCase.credentials, region: suiteCase.region, service: suiteCase.service, options: suiteCase.options)
        let result = signer.presign(suiteCase.request, expires: suiteCase.expires, date: suiteCase.date)
        #expect(result.canonicalRequest == (try suiteCase.expected("query-canonical-request.txt")))
        #expect(result.stringToSign == (try suiteCase.expected("query-string-to-sign.txt")))
        #expect(result.signature == (try suiteCase.expected("query-signature.txt")))
        let expectedItems = SigV4SuiteCase.signedQueryItems(try suiteCase.expected("query-signed-request.txt"))
        let actualItems = SigV4SuiteCase.signedQueryItems("GET /?\(result.query) HTTP/1.1")
        #expect(actualItems == expectedItems)
    }
}
