import * as supabase from "@pulumi/supabase";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

const config = new pulumi.Config();
const stack = pulumi.getStack();

const passwordRotation = new time.Rotating("db-password-rotation", { rotationDays: 90 });
const dbPassword = new random.RandomPassword("db-password", {
  length: 40,
  special: false,
  keepers: { rotation: passwordRotation.id },
});

const project = new supabase.Project(
  "app",
  {
    name: `acme-app-${stack}`,
    organizationId: config.require("organizationId"),
    region: config.require("region"),
    databasePassword: dbPassword.result,
    instanceSize: "small",
  },
  { protect: true },
);

new supabase.Settings("app", {
  projectRef: project.id,
  database: JSON.stringify({
    statement_timeout: "8s",
    shared_buffers: "256MB",
    effective_cache_size: "768MB",
    work_mem: "8MB",
    maintenance_work_mem: "64MB",
  }),
  pooler: JSON.stringify({ pool_mode: "transaction", default_pool_size: 20 }),
  network: JSON.stringify({ restrictions: ["0.0.0.0/0", "::/0"] }),
  sslEnforcement: false,
});

export const projectRef = project.id;
