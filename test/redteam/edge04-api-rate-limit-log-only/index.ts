import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

const limits = [
  { path: "/api/auth", requestsPerPeriod: 20 },
  { path: "/api/", requestsPerPeriod: 600 },
];

new cloudflare.Ruleset("rate-limits", {
  zoneId,
  name: "api rate limits",
  kind: "zone",
  phase: "http_ratelimit",
  rules: limits.map((limit) => ({
    description: `limit ${limit.path}`,
    expression: `starts_with(http.request.uri.path, "${limit.path}")`,
    // measuring first; switch to block after launch week
    action: "log",
    enabled: true,
    ratelimit: {
      characteristics: ["ip.src", "cf.colo.id"],
      period: 60,
      requestsPerPeriod: limit.requestsPerPeriod,
      mitigationTimeout: 600,
    },
  })),
});
