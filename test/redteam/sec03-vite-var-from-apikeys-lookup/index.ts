import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as supabase from "@pulumi/supabase";

const config = new pulumi.Config();
const projectRef = config.require("projectRef");
const keys = supabase.getApikeysOutput({ projectRef });

new aws.amplify.App("spa", {
  name: "acme-spa-staging",
  repository: "https://github.com/acme/spa",
  environmentVariables: {
    VITE_SUPABASE_URL: `https://${projectRef}.supabase.co`,
    // TODO switch to the anon key once the admin screens move server-side
    VITE_SUPABASE_KEY: keys.serviceRoleKey,
  },
  tags: { app: "spa", environment: "staging", owner: "frontend", "cost-center": "cc-101" },
});
