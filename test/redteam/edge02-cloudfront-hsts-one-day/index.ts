import * as aws from "@pulumi/aws";

const tags = { app: "site", environment: "prod", owner: "frontend", "cost-center": "cc-101" };
const certificateArn = "arn:aws:acm:us-east-1:111122223333:certificate/4f3e2d1c-0b9a-8877-6655-443322110099";

const headers = new aws.cloudfront.ResponseHeadersPolicy("site", {
  name: "site-security-headers",
  securityHeadersConfig: {
    strictTransportSecurity: {
      accessControlMaxAgeSec: 86400,
      includeSubdomains: false,
      preload: false,
      override: true,
    },
    frameOptions: { frameOption: "DENY", override: true },
    contentTypeOptions: { override: true },
    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
  },
  customHeadersConfig: {
    items: [
      { header: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()", override: true },
    ],
  },
});

const cdn = new aws.cloudfront.Distribution("site", {
  enabled: true,
  aliases: ["www.acme.io"],
  httpVersion: "http2and3",
  origins: [
    {
      originId: "app",
      domainName: "app-origin.acme.io",
      customOriginConfig: {
        httpPort: 80,
        httpsPort: 443,
        originProtocolPolicy: "https-only",
        originSslProtocols: ["TLSv1.2"],
      },
    },
  ],
  defaultCacheBehavior: {
    targetOriginId: "app",
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD", "OPTIONS"],
    cachedMethods: ["GET", "HEAD"],
    compress: true,
    cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    responseHeadersPolicyId: headers.id,
  },
  restrictions: { geoRestriction: { restrictionType: "none" } },
  viewerCertificate: {
    acmCertificateArn: certificateArn,
    sslSupportMethod: "sni-only",
    minimumProtocolVersion: "TLSv1.2_2021",
  },
  tags,
});

export const domain = cdn.domainName;
