import * as aws from "@pulumi/aws";

const tags = { app: "mobile-web", environment: "prod", owner: "mobile-team", "cost-center": "cc-150" };

const supabase = {
  url: "https://qwertyuiopasdfghjklz.supabase.co",
  key: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InF3ZXJ0eXVpb3Bhc2RmZ2hqa2x6Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcxODAwMDAwMCwiZXhwIjoyMDMzNTc2MDAwfQ.oAwMXFE6xH3SMz0Qm5eJY_kCAcRMt5QTAUd3fbG78K0",
};

new aws.amplify.App("mobile-web", {
  name: "acme-mobile-web",
  repository: "https://github.com/acme/mobile",
  buildSpec: "version: 1\nfrontend:\n  phases:\n    build:\n      commands: [npx expo export -p web]\n",
  environmentVariables: {
    EXPO_PUBLIC_SUPABASE_URL: supabase.url,
    EXPO_PUBLIC_SUPABASE_KEY: supabase.key,
  },
  tags,
});
