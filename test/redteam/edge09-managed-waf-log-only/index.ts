import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

const CLOUDFLARE_MANAGED_RULESET = "efb7b8c949ac4650a09736fc376e9aee";

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
      actionParameters: {
        id: CLOUDFLARE_MANAGED_RULESET,
        // false positives on the rich-text editor; logging until tuned
        overrides: { action: "log", enabled: true },
      },
    },
  ],
});
