import * as aws from "@pulumi/aws";

const tags = { app: "api", environment: "prod", owner: "backend", "cost-center": "cc-200" };
const vpcId = "vpc-0a1b2c3d4e5f60718";
const publicSubnets = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];

const albSg = new aws.ec2.SecurityGroup("api-alb", {
  vpcId,
  ingress: [80, 443].map((port) => ({
    protocol: "tcp",
    fromPort: port,
    toPort: port,
    cidrBlocks: ["0.0.0.0/0"],
  })),
  egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  tags,
});

const alb = new aws.lb.LoadBalancer("api", {
  loadBalancerType: "application",
  securityGroups: [albSg.id],
  subnets: publicSubnets,
  dropInvalidHeaderFields: true,
  tags,
});

const targets = new aws.lb.TargetGroup("api", {
  vpcId,
  port: 8080,
  protocol: "HTTP",
  targetType: "ip",
  healthCheck: { path: "/healthz" },
  tags,
});

new aws.lb.Listener("http", {
  loadBalancerArn: alb.arn,
  port: 80,
  protocol: "HTTP",
  defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
  tags,
});

new aws.lb.Listener("https", {
  loadBalancerArn: alb.arn,
  port: 443,
  protocol: "HTTPS",
  sslPolicy: "ELBSecurityPolicy-2016-08",
  certificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/0d1c2b3a-4958-6777-8899-aabbccddeeff",
  defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
  routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000; includeSubDomains",
  routingHttpResponseXFrameOptionsHeaderValue: "DENY",
  routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
  tags,
});

export const dnsName = alb.dnsName;
