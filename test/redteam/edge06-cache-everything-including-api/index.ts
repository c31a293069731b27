import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

new cloudflare.Ruleset("cache", {
  zoneId,
  name: "cache rules",
  kind: "zone",
  phase: "http_request_cache_settings",
  rules: [
    {
      description: "cache everything for a day (launch traffic)",
      expression: "true",
      action: "set_cache_settings",
      enabled: true,
      actionParameters: {
        cache: true,
        edgeTtl: { mode: "override_origin", default: 86400 },
        browserTtl: { mode: "respect_origin" },
      },
    },
  ],
});
