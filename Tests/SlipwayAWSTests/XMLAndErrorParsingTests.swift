import Foundation
import Testing
@testable import SlipwayAWS

@Suite("XML reader and error parsing")
struct XMLAndErrorParsingTests {
    @Test("namespaces, entities, CDATA, comments and self-closing elements")
    func xml() throws {
        let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- listing -->
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>b</Name><IsTruncated>false</IsTruncated>
          <Contents><Key>a &amp; b &lt;c&gt; &#233;&#x41;</Key><ETag>&quot;abc&quot;</ETag><Size>3</Size></Contents>
          <Contents><Key><![CDATA[x<y>&z]]></Key><Empty/></Contents>
          <s3:Prefixed attr='v'>p</s3:Prefixed>
        </ListBucketResult>
        """
        let root = try AWSXML.parse(Data(document.utf8))
        #expect(root.name == "ListBucketResult")
        #expect(root.children("Contents").map { $0["Key"] } == ["a & b <c> éA", "x<y>&z"])
        #expect(root.child("Contents")?["ETag"] == "\"abc\"")
        #expect(root.child("Contents", at: 1)?.child("Empty")?.text == "")
        #expect(root.child("Prefixed")?.attributes["attr"] == "v")
        #expect(throws: AWSXML.ParseError.self) { try AWSXML.parse(Data("<a><b></a>".utf8)) }
        #expect(throws: AWSXML.ParseError.self) { try AWSXML.parse(Data("<a>".utf8)) }
    }

    @Test("S3, query, EC2 and JSON error documents")
    func errorDocuments() {
        let s3 = AWSErrorParser.parse(service: "S3", operation: "GetObject", status: 404, headers: ["x-amz-request-id": "R1"],
                                      body: Data("<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".utf8))
        #expect(s3 == AWSError(service: "S3", operation: "GetObject", status: 404, code: "NoSuchKey", message: "The specified key does not exist.", requestId: "R1"))
        let ec2 = AWSErrorParser.parse(service: "EC2", operation: "RunInstances", status: 400, headers: [:],
                                       body: Data("<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code><Message>nope</Message></Error></Errors><RequestID>R2</RequestID></Response>".utf8))
        #expect(ec2.code == "InvalidAMIID.NotFound" && ec2.requestId == "R2")
        let json = AWSErrorParser.parse(service: "ECS", operation: "CreateService", status: 400, headers: ["x-amzn-requestid": "R3"],
                                        body: Data(#"{"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"Cluster not found."}"#.utf8))
        #expect(json == AWSError(service: "ECS", operation: "CreateService", status: 400, code: "ClusterNotFoundException", message: "Cluster not found.", requestId: "R3"))
        let restJSON = AWSErrorParser.parse(service: "Lambda", operation: "GetAlias", status: 404, headers: ["x-amzn-errortype": "ResourceNotFoundException:http://internal.amazon.com/"],
                                            body: Data(#"{"Message":"Alias not found","Type":"User"}"#.utf8))
        #expect(restJSON.code == "ResourceNotFoundException" && restJSON.message == "Alias not found")
        let headNotFound = AWSErrorParser.parse(service: "S3", operation: "HeadObject", status: 404, headers: [:], body: Data())
        #expect(headNotFound.code == "NotFound" && headNotFound.message == "empty response body")
    }

    @Test("non-AWS bodies keep the status and a short readable excerpt")
    func htmlBody() {
        let long = motoStyleHTML500 + String(repeating: "<p>more text</p>", count: 100)
        let error = AWSErrorParser.parse(service: "AutoScaling", operation: "CompleteLifecycleAction", status: 500, headers: [:], body: Data(long.utf8))
        #expect(error.code == "HTTP500")
        #expect(error.message.hasPrefix("unexpected response body: 500 Internal Server Error Internal Server Error The server encountered"))
        #expect(error.message.count < 260)
        #expect(error.isThrottling == false)
        #expect(AWSError(service: "S3", operation: "PutObject", status: 503, code: "SlowDown", message: "").isThrottling)
    }
}

extension AWSXML.Element {
    func child(_ name: String, at index: Int) -> AWSXML.Element? {
        let matches = children(name)
        return index < matches.count ? matches[index] : nil
    }
}
