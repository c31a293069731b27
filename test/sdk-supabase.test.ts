// The local @pulumi/supabase SDK against Pulumi's mock monitor: tokens, the parameterized-package
// registration and its reference on every request, secrets, and typed invoke results.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import * as supabase from "@pulumi/supabase";
import sdkManifest from "@pulumi/supabase/package.json";

// What `pulumi package add terraform-provider supabase/supabase 1.10.1` registers, written out
// independently of the SDK so a drift in the SDK fails here.
const expectedParameterJson =
  '{"remote":{"url":"registry.opentofu.org/supabase/supabase","version":"1.10.1"}}';
const mockPackageRef = "mock-uuid";

interface RegisteredPackage {
  name: string;
  version: string;
  downloadUrl: string;
  parameterName: string;
  parameterVersion: string;
  parameterValue: string;
}

interface RegisteredResourceRequest {
  type: string;
  name: string;
  packageRef: string;
  version: string;
  additionalSecretOutputs: string[];
  object: Record<string, unknown>;
}

interface InvokeRequest {
  token: string;
  packageRef: string;
  args: Record<string, unknown>;
}

interface ReadResourceRequest {
  type: string;
  name: string;
  id: string;
  packageRef: string;
}

const registeredPackages: RegisteredPackage[] = [];
const resourceRequests: RegisteredResourceRequest[] = [];
const invokeRequests: InvokeRequest[] = [];
const readRequests: ReadResourceRequest[] = [];

// Minimal views of the protobuf requests the mock monitor receives.
interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
interface RegisterPackageRequestLike {
  getName(): string;
  getVersion(): string;
  getDownloadUrl(): string;
  getParameterization(): {
    getName(): string;
    getVersion(): string;
    getValue_asU8(): Uint8Array;
  };
}
interface RegisterResourceRequestLike {
  getType(): string;
  getName(): string;
  getPackageref(): string;
  getVersion(): string;
  getAdditionalsecretoutputsList(): string[];
  getObject(): StructLike | undefined;
}
interface InvokeRequestLike {
  getTok(): string;
  getPackageref(): string;
  getArgs(): StructLike | undefined;
}
interface ReadResourceRequestLike {
  getType(): string;
  getName(): string;
  getId(): string;
  getPackageref(): string;
}
type Callback = (err: unknown, response: unknown) => void;
interface MonitorLike {
  registerPackage(req: RegisterPackageRequestLike, callback: Callback): void;
  registerResource(req: RegisterResourceRequestLike, callback: Callback): Promise<void>;
  invoke(req: InvokeRequestLike, callback: Callback): Promise<void>;
  readResource(req: ReadResourceRequestLike, callback: Callback): Promise<void>;
}

/** Wraps the mock monitor so each request the SDK sends is recorded before the mock answers it. */
function recordMonitorRequests(): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const registerPackage = monitor.registerPackage.bind(monitor);
  const registerResource = monitor.registerResource.bind(monitor);
  const invoke = monitor.invoke.bind(monitor);
  const readResource = monitor.readResource.bind(monitor);
  monitor.registerPackage = (req, callback) => {
    const parameterization = req.getParameterization();
    registeredPackages.push({
      name: req.getName(),
      version: req.getVersion(),
      downloadUrl: req.getDownloadUrl(),
      parameterName: parameterization.getName(),
      parameterVersion: parameterization.getVersion(),
      parameterValue: Buffer.from(parameterization.getValue_asU8()).toString("utf8"),
    });
    registerPackage(req, callback);
  };
  monitor.registerResource = (req, callback) => {
    resourceRequests.push({
      type: req.getType(),
      name: req.getName(),
      packageRef: req.getPackageref(),
      version: req.getVersion(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      object: req.getObject()?.toJavaScript() ?? {},
    });
    return registerResource(req, callback);
  };
  monitor.invoke = (req, callback) => {
    invokeRequests.push({
      token: req.getTok(),
      packageRef: req.getPackageref(),
      args: req.getArgs()?.toJavaScript() ?? {},
    });
    return invoke(req, callback);
  };
  monitor.readResource = (req, callback) => {
    readRequests.push({
      type: req.getType(),
      name: req.getName(),
      id: req.getId(),
      packageRef: req.getPackageref(),
    });
    return readResource(req, callback);
  };
}

/** Outputs the mocked provider computes, per resource type (the rest echoes the inputs). */
function computedOutputs(type: string, name: string): Record<string, unknown> {
  switch (type) {
    case "supabase:index/project:Project":
      return { name: `${name}-a1b2c3d` };
    case "supabase:index/apikey:Apikey":
      return { apiKey: "sb_secret_mocked", type: "secret", secretJwtTemplate: { role: "service_role" } };
    case "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets":
      return { secretDigests: { STRIPE_KEY: "digest" } };
    case "supabase:index/branch:Branch":
      return {
        database: {
          host: "db.branchref.supabase.co",
          port: 5432,
          user: "postgres",
          password: "branch-password",
          jwtSecret: "branch-jwt",
          version: "17",
          status: "ACTIVE_HEALTHY",
          id: "branchref",
        },
      };
    default:
      return {};
  }
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args: pulumi.runtime.MockResourceArgs) => ({
        id: args.id || `${args.name}-id`, // registerResource passes "" (no import id)
        state: { ...args.inputs, ...computedOutputs(args.type, args.name) },
      }),
      call: (args: pulumi.runtime.MockCallArgs) => {
        switch (args.token) {
          case "supabase:index/getPooler:getPooler":
            return {
              projectRef: args.inputs["projectRef"] as string,
              url: {
                transaction: "postgres://postgres.ref:[YOUR-PASSWORD]@pooler.supabase.com:6543/postgres",
                session: "postgres://postgres.ref:[YOUR-PASSWORD]@pooler.supabase.com:5432/postgres",
              },
            };
          case "supabase:index/getApikeys:getApikeys":
            return {
              projectRef: args.inputs["projectRef"] as string,
              anonKey: "anon-jwt",
              serviceRoleKey: "service-role-jwt",
              publishableKey: "sb_publishable_x",
              secretKeys: [{ name: "default", apiKey: "sb_secret_x" }],
            };
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "golive",
    "test",
    false,
  );
  recordMonitorRequests();
});

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

function requestFor(type: string, name: string): RegisteredResourceRequest {
  const request = resourceRequests.find((r) => r.type === type && r.name === name);
  if (request === undefined) {
    throw new Error(`no registerResource request for ${type} ${name}`);
  }
  return request;
}

/** Pulumi's wire form of a secret value. */
function isWireSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

describe("@pulumi/supabase tokens", () => {
  it("uses the bridged tokens of supabase/supabase", () => {
    const tokens = {
      Project: (supabase.Project as unknown as { __pulumiType: string }).__pulumiType,
      Settings: (supabase.Settings as unknown as { __pulumiType: string }).__pulumiType,
      Apikey: (supabase.Apikey as unknown as { __pulumiType: string }).__pulumiType,
      EdgeFunction: (supabase.EdgeFunction as unknown as { __pulumiType: string }).__pulumiType,
      EdgeFunctionSecrets: (supabase.EdgeFunctionSecrets as unknown as { __pulumiType: string }).__pulumiType,
      Branch: (supabase.Branch as unknown as { __pulumiType: string }).__pulumiType,
      Provider: (supabase.Provider as unknown as { __pulumiType: string }).__pulumiType,
    };
    expect(tokens).toEqual({
      Project: "supabase:index/project:Project",
      Settings: "supabase:index/settings:Settings",
      Apikey: "supabase:index/apikey:Apikey",
      EdgeFunction: "supabase:index/edgeFunction:EdgeFunction",
      EdgeFunctionSecrets: "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets",
      Branch: "supabase:index/branch:Branch",
      Provider: "supabase",
    });
  });
});

describe("@pulumi/supabase resources", () => {
  it("registers the parameterized package once and sends its reference with every resource", async () => {
    const project = new supabase.Project("main", {
      organizationId: "acme-org",
      region: "eu-central-1",
      databasePassword: "correct-horse-battery",
      instanceSize: "micro",
    });
    const settings = new supabase.Settings("main", {
      projectRef: project.id,
      api: JSON.stringify({ max_rows: 1000 }),
      sslEnforcement: true,
    });
    await Promise.all([valueOf(project.id), valueOf(settings.id)]);

    expect(registeredPackages).toEqual([
      {
        name: "terraform-provider",
        version: "1.1.0",
        downloadUrl: "",
        parameterName: "supabase",
        parameterVersion: "1.10.1",
        parameterValue: expectedParameterJson,
      },
    ]);
    for (const [type, name] of [
      ["supabase:index/project:Project", "main"],
      ["supabase:index/settings:Settings", "main"],
    ] as const) {
      const request = requestFor(type, name);
      expect(request.packageRef).toBe(mockPackageRef);
      // With a package reference the runtime drops the plugin version option: the ref carries it.
      expect(request.version).toBe("");
    }
  });

  it("matches the package.json pulumi block the CLI reads", () => {
    const manifest: Record<string, unknown> = sdkManifest;
    expect(manifest["name"]).toBe("@pulumi/supabase");
    expect(manifest["version"]).toBe("1.10.1");
    expect(manifest["pulumi"]).toEqual({
      resource: true,
      name: "terraform-provider",
      version: "1.1.0",
      parameterization: {
        name: "supabase",
        version: "1.10.1",
        value: Buffer.from(expectedParameterJson, "utf8").toString("base64"),
      },
    });
  });

  it("keeps the database password secret and leaves name to auto-naming", async () => {
    const project = new supabase.Project("secret-project", {
      organizationId: "acme-org",
      region: "us-east-1",
      databasePassword: "hunter2-but-longer",
    });
    expect(await pulumi.isSecret(project.databasePassword)).toBe(true);
    expect(await valueOf(project.databasePassword)).toBe("hunter2-but-longer");
    expect(await valueOf(project.name)).toBe("secret-project-a1b2c3d");

    const request = requestFor("supabase:index/project:Project", "secret-project");
    expect(isWireSecret(request.object["databasePassword"])).toBe(true);
    expect(request.additionalSecretOutputs).toEqual(["databasePassword"]);
    expect(request.object).not.toHaveProperty("name");
    expect(request.object["organizationId"]).toBe("acme-org");
  });

  it("rejects a project without its required inputs, naming the property", () => {
    expect(
      () =>
        new supabase.Project("incomplete", {
          organizationId: "acme-org",
          region: "us-east-1",
        } as supabase.ProjectArgs),
    ).toThrow("Missing required property 'databasePassword'");
  });

  it("marks the generated API key as a secret output", async () => {
    const apikey = new supabase.Apikey("worker", { projectRef: "abcdefghijklmnopqrst", description: "jobs" });
    expect(await valueOf(apikey.apiKey)).toBe("sb_secret_mocked");
    expect(await valueOf(apikey.secretJwtTemplate)).toEqual({ role: "service_role" });
    const request = requestFor("supabase:index/apikey:Apikey", "worker");
    expect(request.additionalSecretOutputs).toEqual(["apiKey"]);
    expect(request.packageRef).toBe(mockPackageRef);
  });

  it("sends edge function secrets as a secret and keeps them secret", async () => {
    const secrets = new supabase.EdgeFunctionSecrets("functions", {
      projectRef: "abcdefghijklmnopqrst",
      secrets: [{ name: "STRIPE_KEY", value: "sk_live_123" }],
    });
    expect(await pulumi.isSecret(secrets.secrets)).toBe(true);
    expect(await valueOf(secrets.secrets)).toEqual([{ name: "STRIPE_KEY", value: "sk_live_123" }]);
    expect(await valueOf(secrets.secretDigests)).toEqual({ STRIPE_KEY: "digest" });
    const request = requestFor("supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets", "functions");
    expect(isWireSecret(request.object["secrets"])).toBe(true);
    expect(request.additionalSecretOutputs).toEqual(["secrets"]);
  });

  it("deploys an edge function without a JWT switch and lists branch credentials as secret", async () => {
    const fn = new supabase.EdgeFunction("jobs", {
      projectRef: "abcdefghijklmnopqrst",
      slug: "jobs",
      entrypoint: "supabase/functions/jobs/index.ts",
      staticFiles: ["supabase/functions/jobs/*.json"],
    });
    const branch = new supabase.Branch("preview", {
      parentProjectRef: "abcdefghijklmnopqrst",
      gitBranch: "feat",
    });
    await Promise.all([valueOf(fn.id), valueOf(branch.id)]);

    const fnRequest = requestFor("supabase:index/edgeFunction:EdgeFunction", "jobs");
    expect(Object.keys(fnRequest.object).sort()).toEqual(["entrypoint", "projectRef", "slug", "staticFiles"]);
    expect(fnRequest.packageRef).toBe(mockPackageRef);
    expect((await valueOf(branch.database)).port).toBe(5432);
    expect(requestFor("supabase:index/branch:Branch", "preview").additionalSecretOutputs).toEqual([
      "database",
    ]);
  });

  it("registers the provider as pulumi:providers:supabase with a secret access token", async () => {
    const provider = new supabase.Provider("explicit", {
      accessToken: "sbp_token",
      endpoint: "https://api.supabase.com",
    });
    await valueOf(provider.urn);
    const request = requestFor("pulumi:providers:supabase", "explicit");
    expect(request.packageRef).toBe(mockPackageRef);
    expect(isWireSecret(request.object["accessToken"])).toBe(true);
    expect(request.object["endpoint"]).toBe("https://api.supabase.com");
    expect(request.additionalSecretOutputs).toEqual(["accessToken"]);
    expect(supabase.Provider.isInstance(provider)).toBe(true);
    expect(supabase.Project.isInstance(provider)).toBe(false);
  });

  it("reads an existing project through get() with the package reference", async () => {
    const existing = supabase.Project.get("adopted", "abcdefghijklmnopqrst");
    expect(await valueOf(existing.id)).toBe("abcdefghijklmnopqrst");
    expect(readRequests).toContainEqual({
      type: "supabase:index/project:Project",
      name: "adopted",
      id: "abcdefghijklmnopqrst",
      packageRef: mockPackageRef,
    });
    expect(supabase.Project.isInstance(existing)).toBe(true);
  });
});

describe("@pulumi/supabase functions", () => {
  it("invokes getPooler with the package reference and returns the pool-mode map", async () => {
    const pooler = supabase.getPoolerOutput({ projectRef: pulumi.output("poolerref000000000000") });
    const url = await valueOf(pooler.url);
    expect(url["transaction"]).toContain(":6543/");
    expect(url["transaction"]).toContain("[YOUR-PASSWORD]");
    expect(invokeRequests).toContainEqual({
      token: "supabase:index/getPooler:getPooler",
      packageRef: mockPackageRef,
      args: { projectRef: "poolerref000000000000" },
    });

    const plain = await supabase.getPooler({ projectRef: "plainpoolerref0000000" });
    expect(plain.projectRef).toBe("plainpoolerref0000000");
    expect(Object.keys(plain.url).sort()).toEqual(["session", "transaction"]);
  });

  it("invokes getApikeys and keeps every key secret in the Output form", async () => {
    const keys = supabase.getApikeysOutput({ projectRef: "keysref0000000000000" });
    expect(await pulumi.isSecret(keys.serviceRoleKey)).toBe(true);
    expect(await pulumi.isSecret(keys.anonKey)).toBe(true);
    expect(await valueOf(keys.serviceRoleKey)).toBe("service-role-jwt");
    const secretKeys: supabase.GetApikeysResult["secretKeys"] = await valueOf(keys.secretKeys);
    expect(secretKeys).toEqual([{ name: "default", apiKey: "sb_secret_x" }]);
    expect(invokeRequests).toContainEqual({
      token: "supabase:index/getApikeys:getApikeys",
      packageRef: mockPackageRef,
      args: { projectRef: "keysref0000000000000" },
    });
  });
});
