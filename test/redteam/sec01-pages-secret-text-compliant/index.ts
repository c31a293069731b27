import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

type EnvVar = { type: "plain_text" | "secret_text"; value: pulumi.Input<string> };
const plain = (value: string): EnvVar => ({ type: "plain_text", value });
const secret = (value: pulumi.Input<string>): EnvVar => ({ type: "secret_text", value });

const envVars: Record<string, EnvVar> = {
  NEXT_PUBLIC_SUPABASE_URL: plain("https://qwertyuiopasdfghjklz.supabase.co"),
  // the anon key is public by design: RLS protects the data
  NEXT_PUBLIC_SUPABASE_ANON_KEY: plain(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InF3ZXJ0eXVpb3Bhc2RmZ2hqa2x6Iiwicm9sZSI6ImFub24iLCJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MjAzMzU3NjAwMH0.Nd_7nyHDPG5P_AWoR-jX5aHdgCs4Km-Ztg8lMktjIWw",
  ),
  SUPABASE_SERVICE_ROLE_KEY: secret(config.requireSecret("serviceRoleKey")),
};

new cloudflare.PagesProject("web", {
  accountId: config.require("accountId"),
  name: "acme-web",
  productionBranch: "main",
  deploymentConfigs: { production: { compatibilityDate: "2025-03-01", envVars } },
});
