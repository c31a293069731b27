import * as aws from "@pulumi/aws";

const tags = { app: "api", environment: "prod", owner: "platform", "cost-center": "cc-001" };

const flags: Record<string, string> = {
  "new-checkout": "on",
  "search-v2": "off",
  "max-upload-mb": "25",
};

for (const [flag, value] of Object.entries(flags)) {
  new aws.ssm.Parameter(`flag-${flag}`, { name: `/api/prod/flags/${flag}`, type: "String", value, tags });
}
