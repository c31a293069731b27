import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const settings: Record<string, string> = {
  REPO: "acme/web",
  GH_AUTH: "ghp_R8kTz3Lq9VwX2mNb7YcJ4dHs6FpA1eGu5oKi",
};

new cloudflare.WorkersScript("release-notes", {
  accountId: config.require("accountId"),
  scriptName: "release-notes",
  mainModule: "worker.js",
  content: "export default { fetch: () => new Response('ok') };",
  compatibilityDate: "2025-03-01",
  bindings: Object.entries(settings).map(([name, text]) => ({ name, type: "plain_text", text })),
});
