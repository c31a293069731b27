import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

const API = 'starts_with(http.request.uri.path, "/api/")';
const ADMIN = 'starts_with(http.request.uri.path, "/admin")';
const OFFICE = ["85.214.132.0/24", "34.89.12.24/32"];

new cloudflare.Ruleset("response-headers", {
  zoneId,
  name: "response headers",
  kind: "zone",
  phase: "http_response_headers_transform",
  rules: [
    {
      description: "security headers",
      expression: "true",
      action: "rewrite",
      enabled: true,
      actionParameters: {
        headers: {
          "X-Frame-Options": { operation: "set", value: "DENY" },
          "X-Content-Type-Options": { operation: "set", value: "nosniff" },
          "Referrer-Policy": { operation: "set", value: "strict-origin-when-cross-origin" },
          "Permissions-Policy": { operation: "set", value: "camera=(), microphone=(), geolocation=()" },
          "Strict-Transport-Security": { operation: "set", value: "max-age=31536000; includeSubDomains" },
        },
      },
    },
  ],
});

new cloudflare.Ruleset("rate-limits", {
  zoneId,
  name: "api rate limits",
  kind: "zone",
  phase: "http_ratelimit",
  rules: [
    {
      description: "API per IP",
      expression: API,
      action: "block",
      enabled: true,
      ratelimit: {
        characteristics: ["ip.src", "cf.colo.id"],
        period: 60,
        requestsPerPeriod: 300,
        mitigationTimeout: 600,
      },
    },
  ],
});

new cloudflare.Ruleset("firewall", {
  zoneId,
  name: "custom firewall",
  kind: "zone",
  phase: "http_request_firewall_custom",
  rules: [
    {
      description: "admin only from the office",
      expression: `(${ADMIN} and not ip.src in {${OFFICE.join(" ")}})`,
      action: "block",
      enabled: true,
    },
  ],
});

new cloudflare.Ruleset("cache", {
  zoneId,
  name: "cache rules",
  kind: "zone",
  phase: "http_request_cache_settings",
  rules: [
    {
      description: "static assets",
      expression: '(http.request.uri.path.extension in {"js" "css" "png" "svg" "woff2"})',
      action: "set_cache_settings",
      enabled: true,
      actionParameters: { cache: true, edgeTtl: { mode: "override_origin", default: 604800 } },
    },
    {
      description: "never cache the API",
      expression: API,
      action: "set_cache_settings",
      enabled: true,
      actionParameters: { cache: false },
    },
  ],
});

new cloudflare.Ruleset("managed-waf", {
  zoneId,
  name: "managed waf",
  kind: "zone",
  phase: "http_request_firewall_managed",
  rules: [
    {
      description: "Cloudflare Managed Ruleset",
      expression: "true",
      action: "execute",
      enabled: true,
      actionParameters: { id: "efb7b8c949ac4650a09736fc376e9aee" },
    },
  ],
});

new cloudflare.Ruleset("compression", {
  zoneId,
  name: "compression",
  kind: "zone",
  phase: "http_response_compression",
  rules: [
    {
      description: "brotli first",
      expression: "true",
      action: "compress_response",
      enabled: true,
      actionParameters: { algorithms: [{ name: "brotli" }, { name: "gzip" }] },
    },
  ],
});
