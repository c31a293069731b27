import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

const config = new pulumi.Config();

const rotation = new time.Rotating("signing-key-rotation", { rotationDays: 30 });
const signingKey = new random.RandomPassword("signing-key", {
  length: 64,
  special: false,
  keepers: { rotation: rotation.id },
});

new cloudflare.WorkersScript("signed-urls", {
  accountId: config.require("accountId"),
  scriptName: "signed-urls",
  mainModule: "worker.js",
  content: "export default { fetch: () => new Response('ok') };",
  compatibilityDate: "2025-03-01",
  bindings: [
    { name: "URL_SIGNING_KEY", type: "secret_text", text: signingKey.result },
    { name: "LINK_TTL_SECONDS", type: "plain_text", text: "900" },
  ],
});
