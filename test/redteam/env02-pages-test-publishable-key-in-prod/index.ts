import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const publicEnv: Record<string, string> = {
  NEXT_PUBLIC_SUPABASE_URL: config.require("supabaseUrl"),
  NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY:
    "pk_test_51NqH2kLzYx8RtP0aQmVbC3dE4fG5hI6jK7lM8nO9pQ0rS1tU2vW3xY4zA5bC6dE7fG8hI9jK0",
  NEXT_PUBLIC_SITE_URL: "https://shop.acme.io",
};

const asPlainText = (vars: Record<string, string>) =>
  Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }]));

const site = new cloudflare.PagesProject("storefront", {
  accountId: config.require("cloudflareAccountId"),
  name: "acme-storefront",
  productionBranch: "main",
  buildConfig: { buildCommand: "npm run build", destinationDir: ".vercel/output/static" },
  deploymentConfigs: {
    production: {
      compatibilityDate: "2025-01-15",
      envVars: asPlainText(publicEnv),
    },
  },
});

export const subdomain = site.subdomain;
