/// The wire protocol families AWS services speak; errors are parsed accordingly.
public enum AWSProtocol: Sendable, Hashable {
    case restXML   // S3
    case query     // IAM, STS, EC2, ELBv2, AutoScaling, CloudWatch
    case json      // ECS, SSM (x-amz-json-1.1 with X-Amz-Target)
    case restJSON  // Lambda
}

/// What the HTTP layer needs to know about a service: how to name, find and sign it.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 service name (`s3`, `elasticloadbalancing`, `monitoring`).
    public var signingName: String
    /// The host prefix of the standard endpoint.
    public var endpointPrefix: String
    /// The SDK service id; `AWS_ENDPOINT_URL_<ID>` uses it upper-cased with `_` for spaces.
    public var serviceId: String
    public var wireProtocol: AWSProtocol
    public var signingOptions: SigV4Options
    /// Global services have one endpoint and sign for us-east-1.
    public var isGlobal: Bool

    public init(signingName: String, endpointPrefix: String, serviceId: String, wireProtocol: AWSProtocol,
                signingOptions: SigV4Options = .standard, isGlobal: Bool = false) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.serviceId = serviceId
        self.wireProtocol = wireProtocol
        self.signingOptions = signingOptions
        self.isGlobal = isGlobal
    }

    public var endpointEnvironmentVariable: String {
        "AWS_ENDPOINT_URL_" + serviceId.uppercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    public static let s3 = AWSService(signingName: "s3", endpointPrefix: "s3", serviceId: "S3", wireProtocol: .restXML, signingOptions: .s3)
    public static let lambda = AWSService(signingName: "lambda", endpointPrefix: "lambda", serviceId: "Lambda", wireProtocol: .restJSON)
    public static let ecs = AWSService(signingName: "ecs", endpointPrefix: "ecs", serviceId: "ECS", wireProtocol: .json)
    public static let elasticLoadBalancingV2 = AWSService(signingName: "elasticloadbalancing", endpointPrefix: "elasticloadbalancing",
                                                          serviceId: "Elastic Load Balancing v2", wireProtocol: .query)
    public static let autoScaling = AWSService(signingName: "autoscaling", endpointPrefix: "autoscaling", serviceId: "Auto Scaling", wireProtocol: .query)
    public static let ec2 = AWSService(signingName: "ec2", endpointPrefix: "ec2", serviceId: "EC2", wireProtocol: .query)
    public static let cloudWatch = AWSService(signingName: "monitoring", endpointPrefix: "monitoring", serviceId: "CloudWatch", wireProtocol: .query)
    public static let ssm = AWSService(signingName: "ssm", endpointPrefix: "ssm", serviceId: "SSM", wireProtocol: .json)
    public static let sts = AWSService(signingName: "sts", endpointPrefix: "sts", serviceId: "STS", wireProtocol: .query)
    public static let iam = AWSService(signingName: "iam", endpointPrefix: "iam", serviceId: "IAM", wireProtocol: .query, isGlobal: true)
}
