import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as supabase from "@pulumi/supabase";
import * as time from "@pulumiverse/time";

const config = new pulumi.Config();

const rotation = new time.Rotating("quarterly", { rotationDays: 90 });
const password = new random.RandomPassword("postgres", {
  length: 48,
  overrideSpecial: "-_",
  keepers: { rotated: rotation.rotationRfc3339 },
});

const crm = new supabase.Project(
  "crm",
  {
    organizationId: config.require("organizationId"),
    name: "crm-prod",
    region: "us-east-1",
    databasePassword: password.result,
    instanceSize: "medium",
  },
  { protect: true },
);

new supabase.Settings("crm", {
  projectRef: crm.id,
  database: JSON.stringify({
    statement_timeout: "15s",
    shared_buffers: "1GB",
    effective_cache_size: "3GB",
    work_mem: "16MB",
    maintenance_work_mem: "256MB",
  }),
  pooler: JSON.stringify({ pool_mode: "transaction", default_pool_size: 40 }),
  network: JSON.stringify({ restrictions: ["91.198.174.0/24"] }),
  sslEnforcement: true,
});

export const ref = crm.id;
