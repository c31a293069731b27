import * as aws from "@pulumi/aws";

const tags = { app: "web", environment: "staging", owner: "frontend", "cost-center": "cc-101" };

const app = new aws.amplify.App("web", {
  name: "acme-web-staging",
  repository: "https://github.com/acme/web",
  platform: "WEB_COMPUTE",
  environmentVariables: {
    NEXT_PUBLIC_SUPABASE_URL: "https://abcdefghstaging.supabase.co",
    // copied from the prod settings page while debugging checkout
    NEXT_PUBLIC_STRIPE_KEY:
      "pk_live_51MzX9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefGHIJKLmnopQRstuVWxyz012345",
  },
  tags,
});

new aws.amplify.Branch("main", { appId: app.id, branchName: "main", stage: "BETA", tags });

export const defaultDomain = app.defaultDomain;
