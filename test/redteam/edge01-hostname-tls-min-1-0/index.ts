import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const zoneId = config.require("zoneId");

// An old payment terminal fleet still speaks TLS 1.0 to the partner endpoint.
new cloudflare.HostnameTlsSetting("partner-min-tls", {
  zoneId,
  hostname: "partner-api.acme.io",
  settingId: "min_tls_version",
  value: "1.0",
});

new cloudflare.HostnameTlsSetting("partner-ciphers", {
  zoneId,
  hostname: "partner-api.acme.io",
  settingId: "ciphers",
  value: ["ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"],
});
