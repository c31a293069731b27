import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const zoneId = config.require("zoneId");

const settings: Record<string, unknown> = {
  always_use_https: "on",
  // the origin's certificate expired; flexible until the new one is installed
  ssl: "flexible",
  min_tls_version: "1.2",
  tls_1_3: "on",
  brotli: "on",
  security_header: {
    strict_transport_security: {
      enabled: true,
      max_age: 31536000,
      include_subdomains: true,
      preload: true,
      nosniff: true,
    },
  },
};

for (const [settingId, value] of Object.entries(settings)) {
  new cloudflare.ZoneSetting(settingId.replace(/_/g, "-"), { zoneId, settingId, value });
}
