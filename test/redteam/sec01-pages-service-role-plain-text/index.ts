import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const vars = {
  NEXT_PUBLIC_SUPABASE_URL: "https://qwertyuiopasdfghjklz.supabase.co",
  NEXT_PUBLIC_SUPABASE_ANON_KEY:
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InF3ZXJ0eXVpb3Bhc2RmZ2hqa2x6Iiwicm9sZSI6ImFub24iLCJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MjAzMzU3NjAwMH0.Nd_7nyHDPG5P_AWoR-jX5aHdgCs4Km-Ztg8lMktjIWw",
  // server-only: used by the route handlers
  SUPABASE_SERVICE_ROLE_KEY:
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InF3ZXJ0eXVpb3Bhc2RmZ2hqa2x6Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcxODAwMDAwMCwiZXhwIjoyMDMzNTc2MDAwfQ.oAwMXFE6xH3SMz0Qm5eJY_kCAcRMt5QTAUd3fbG78K0",
};

const envVars = Object.fromEntries(
  Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }]),
);

new cloudflare.PagesProject("web", {
  accountId: config.require("accountId"),
  name: "acme-web",
  productionBranch: "main",
  deploymentConfigs: { production: { compatibilityDate: "2025-03-01", envVars } },
});
