import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

const setHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { operation: "set", value }]));

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
        // SAMEORIGIN because the help center embeds the app in an iframe
        headers: setHeaders({ "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff" }),
      },
    },
  ],
});
