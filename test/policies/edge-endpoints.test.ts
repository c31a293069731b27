import { describe, expect, it } from "vitest";
import { analyzeResource, analyzeStack, UNKNOWN, violations } from "./harness";
import { only, pack, res } from "./fixtures";

const TLS = "edge-01-endpoint-tls";
const HSTS = "edge-02-endpoint-hsts";

const distribution = (overrides: Record<string, unknown> = {}) =>
  res("aws:cloudfront/distribution:Distribution", "site", {
    enabled: true,
    viewerCertificate: {
      acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
      minimumProtocolVersion: "TLSv1.2_2021",
      sslSupportMethod: "sni-only",
    },
    defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https", responseHeadersPolicyId: "rhp-1" },
    ...overrides,
  });

describe("edge-01-endpoint-tls", () => {
  it("passes a CloudFront distribution on TLS 1.2 that redirects HTTP", async () => {
    expect(violations(await analyzeResource(only(pack("prod"), TLS), distribution()), TLS)).toEqual([]);
  });

  it("fails the default certificate, a missing or old minimum protocol, and allow-all behaviours", async () => {
    const policies = only(pack("staging"), TLS);
    const messages = async (resource: ReturnType<typeof distribution>) =>
      violations(await analyzeResource(policies, resource), TLS)
        .map((d) => d.message)
        .join("\n");
    expect(
      await messages(distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } })),
    ).toContain("default *.cloudfront.net certificate");
    expect(await messages(distribution({ viewerCertificate: { acmCertificateArn: "arn:x" } }))).toContain(
      "no viewerCertificate.minimumProtocolVersion",
    );
    expect(
      await messages(
        distribution({
          viewerCertificate: { acmCertificateArn: "arn:x", minimumProtocolVersion: "TLSv1_2016" },
        }),
      ),
    ).toContain("accepts TLSv1_2016");
    expect(
      await messages(
        distribution({
          orderedCacheBehaviors: [{ pathPattern: "/api/*", viewerProtocolPolicy: "allow-all" }],
        }),
      ),
    ).toContain("orderedCacheBehaviors[0]");
  });

  it("fails closed when the minimum protocol is unknown at preview", async () => {
    const found = violations(
      await analyzeResource(
        only(pack("prod"), TLS),
        distribution({ viewerCertificate: { acmCertificateArn: "arn:x", minimumProtocolVersion: UNKNOWN } }),
      ),
      TLS,
    );
    expect(found[0]?.message).toContain("must be known at preview");
  });

  it("judges API Gateway domains and Cloudflare hostname settings", async () => {
    const policies = only(pack("prod"), TLS);
    const cases: [ReturnType<typeof res>, boolean][] = [
      [res("aws:apigateway/domainName:DomainName", "api", {}), true],
      [res("aws:apigateway/domainName:DomainName", "api", { securityPolicy: "TLS_1_0" }), true],
      [res("aws:apigateway/domainName:DomainName", "api", { securityPolicy: "TLS_1_2" }), false],
      [
        res("aws:apigatewayv2/domainName:DomainName", "api", {
          domainNameConfiguration: { securityPolicy: "TLS_1_2" },
        }),
        false,
      ],
      [
        res("cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", "h", {
          settingId: "min_tls_version",
          value: "1.0",
        }),
        true,
      ],
      [
        res("cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", "h", {
          settingId: "min_tls_version",
          value: "1.2",
        }),
        false,
      ],
      [
        res("cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", "h", {
          settingId: "ciphers",
          value: ["x"],
        }),
        false,
      ],
      [
        res("cloudflare:index/customHostname:CustomHostname", "c", {
          ssl: { settings: { minTlsVersion: "1.1" } },
        }),
        true,
      ],
      [res("cloudflare:index/r2CustomDomain:R2CustomDomain", "r", { minTls: "1.0" }), true],
      [res("cloudflare:index/r2CustomDomain:R2CustomDomain", "r", { minTls: "1.3" }), false],
    ];
    for (const [resource, fails] of cases) {
      expect(
        violations(await analyzeResource(policies, resource), TLS).length > 0,
        JSON.stringify(resource.props),
      ).toBe(fails);
    }
  });

  it("judges load-balancer listeners, skipping internal load balancers", async () => {
    const policies = only(pack("prod"), TLS);
    const lb = res("aws:lb/loadBalancer:LoadBalancer", "web", { internal: false, arn: "arn:lb:web" });
    const internal = res("aws:lb/loadBalancer:LoadBalancer", "int", { internal: true, arn: "arn:lb:int" });
    const listener = (name: string, props: Record<string, unknown>, balancer = lb) =>
      res(
        "aws:lb/listener:Listener",
        name,
        { loadBalancerArn: balancer.props!.arn, ...props },
        {
          propertyDependencies: { loadBalancerArn: [balancer.urn] },
        },
      );
    const result = await analyzeStack(policies, [
      lb,
      internal,
      listener("http-forward", {
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
      }),
      listener("http-redirect", {
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      }),
      listener("https-default", { port: 443, protocol: "HTTPS", certificateArn: "arn:cert" }),
      listener("https-old", { port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" }),
      listener("https-good", {
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      }),
      listener(
        "internal-http",
        { port: 80, protocol: "HTTP", defaultActions: [{ type: "forward" }] },
        internal,
      ),
    ]);
    const text = violations(result, TLS)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain('"http-forward" serves plain HTTP');
    expect(text).toContain('"https-default" sets no sslPolicy');
    expect(text).toContain('"https-old" uses ELBSecurityPolicy-2016-08');
    expect(text).not.toContain("http-redirect");
    expect(text).not.toContain("https-good");
    expect(text).not.toContain("internal-http");
  });
});

describe("edge-02-endpoint-hsts", () => {
  const policyOf = (hsts: Record<string, unknown> | undefined) =>
    res("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "headers", {
      id: "rhp-1",
      securityHeadersConfig: hsts
        ? { strictTransportSecurity: hsts }
        : { frameOptions: { frameOption: "DENY", override: true } },
    });

  it("passes a distribution whose behaviours use a policy with 6 months of HSTS and subdomains", async () => {
    const policy = policyOf({ accessControlMaxAgeSec: 31536000, includeSubdomains: true, override: true });
    const site = distribution();
    const result = await analyzeStack(only(pack("prod"), HSTS), [
      policy,
      { ...site, propertyDependencies: { defaultCacheBehavior: [policy.urn] } },
    ]);
    expect(violations(result, HSTS)).toEqual([]);
  });

  it("fails a distribution without a headers policy, or with a policy without HSTS, in preview too", async () => {
    const policies = only(pack("prod"), HSTS);
    const bare = distribution({ defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" } });
    expect(violations(await analyzeStack(policies, [bare]), HSTS)[0]?.message).toContain(
      "no response headers policy",
    );
    const weak = policyOf(undefined);
    const preview = distribution({
      defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https", responseHeadersPolicyId: UNKNOWN },
    });
    const result = await analyzeStack(policies, [
      { ...weak, props: { ...weak.props, id: UNKNOWN } },
      { ...preview, propertyDependencies: { defaultCacheBehavior: [weak.urn] } },
    ]);
    expect(violations(result, HSTS)[0]?.message).toContain("sets no Strict-Transport-Security");
  });

  it("fails a short max-age on the policy itself", async () => {
    const weak = policyOf({ accessControlMaxAgeSec: 86400, includeSubdomains: false, override: true });
    const text = violations(await analyzeResource(only(pack("prod"), HSTS), weak), HSTS)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("at least 15552000");
    expect(text).toContain("does not include subdomains");
  });
});
