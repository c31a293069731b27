/** SEC: secrets are never plain text, strong, kept from the client, encrypted, rotated, per environment. */
import type { PolicyResource } from "@pulumi/policy";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { appConfigSchema, readConfigKey } from "./lib/config";
import type { Check, PolicySpec, ResourceView } from "./lib/define";
import { ENVIRONMENT_WORDS, otherEnvironment } from "./lib/environment";
import { bool, num, StackIndex } from "./lib/props";
import {
  isClientExposedName,
  isConstantName,
  isReference,
  isSecretName,
  isServerSecretName,
  looksLikeSecretValue,
  secretFormat,
} from "./lib/secrets";
import { MANAGEMENT_SETTING_TYPE } from "./lib/stack";
import { edgeFunctionJwt } from "./sec-functions";
import { T } from "./lib/types";

export { unverifiedFunctionsInToml } from "./sec-functions";
import { formatPath, leaves, peek, rawValue, stringLeaves, UNKNOWN, type Leaf } from "./lib/unknowns";

// ------------------------------------------------------------------------------------------------
// SEC-01

/** Inputs that are meant to hold secrets (the provider or golive marks them secret). */
const SECRET_SLOTS: Readonly<Record<string, readonly string[]>> = {
  [T.secretVersion]: ["secretString", "secretBinary", "secretStringWo"],
  [T.supabaseFunctionSecrets]: ["secrets"],
  [T.supabaseProject]: ["databasePassword"],
  [MANAGEMENT_SETTING_TYPE]: ["accessToken"],
  [T.topicSubscription]: ["endpoint"],
};

function isSecretSlot(resource: ResourceView, leaf: Leaf): boolean {
  const root = String(leaf.path[0] ?? "");
  if (resource.type.startsWith("pulumi:providers:")) return true;
  if ((SECRET_SLOTS[resource.type] ?? []).includes(root)) return true;
  if (resource.type === T.ssmParameter && root === "value")
    return peek(resource.props, "type") === "SecureString";
  // The author declared the property secret: it is encrypted in state and masked in output.
  return resource.opts.additionalSecretOutputs.includes(root);
}

/** A variable's name: CONSTANT_CASE anywhere; any case in a Lambda's environment map. */
function isVariableName(resource: ResourceView, leaf: Leaf): boolean {
  if (leaf.key === undefined) return false;
  if (isConstantName(leaf.key)) return true;
  return resource.type === T.lambda && leaf.path[0] === "environment" && leaf.path[1] === "variables";
}

/** `{name: "CRON_SECRET", value: "…"}` pairs (container definitions, edge function secrets): the value under its name. */
function namedPairs(all: readonly Leaf[]): Leaf[] {
  const parent = (leaf: Leaf) => formatPath(leaf.path.slice(0, -1));
  const names = new Map<string, string>();
  for (const leaf of all) {
    if (leaf.key === "name" && typeof leaf.value === "string" && !leaf.unknown)
      names.set(parent(leaf), leaf.value);
  }
  const out: Leaf[] = [];
  for (const leaf of all) {
    if (leaf.key !== "value" || leaf.unknown || typeof leaf.value !== "string") continue;
    const name = names.get(parent(leaf));
    if (name !== undefined) out.push({ ...leaf, key: name });
  }
  return out;
}

const noPlaintextSecretInputs: PolicySpec = {
  name: "sec-01-no-plaintext-secret-inputs",
  id: "SEC-01",
  description:
    "No resource input holds a secret in plain text outside the places made for secrets (Secrets Manager, edge function secrets, the database password).",
  severity: "critical",
  remediationSteps:
    "Keep secret values in golive:secrets (generated) or golive:providedSecrets (set with --secret); resources read them from Secrets Manager at run time (pass the secret's ARN, not its value).",
  resource: {
    validate(resource, check) {
      if (resource.type === T.stack) return;
      const strings = stringLeaves(resource.props);
      const pairs = namedPairs(strings);
      const paired = new Set(pairs.map((leaf) => formatPath(leaf.path)));
      const all = [...strings.filter((leaf) => !paired.has(formatPath(leaf.path))), ...pairs];
      for (const leaf of all) {
        if (isSecretSlot(resource, leaf)) continue;
        const where = `${formatPath(leaf.path)} of ${resource.type} "${resource.name}"`;
        const named =
          leaf.key !== undefined &&
          (paired.has(formatPath(leaf.path)) || isVariableName(resource, leaf)) &&
          isSecretName(leaf.key);
        if (leaf.unknown) {
          if (named) check.undeterminable(where);
          continue;
        }
        const value = leaf.value as string;
        const format = secretFormat(value);
        if (format) check.violation(`${where} holds ${format.kind} in plain text`);
        else if (named && looksLikeSecretValue(value)) {
          check.violation(`${where} holds a secret value in plain text (${leaf.key} is a secret's name)`);
        }
      }
    },
  },
};

/** The stack file (`explicit`, else Pulumi.<stack>.yaml): its `config` map, or why it cannot be read. */
export function readStackFile(
  projectDir: string | undefined,
  stack: string | undefined,
  explicit?: string,
): { ok: true; file: string; config: Record<string, unknown> } | { ok: false; reason: string } {
  let file = explicit;
  if (file === undefined) {
    if (!projectDir) {
      return { ok: false, reason: "the Pulumi project root is unknown (set GOLIVE_PROJECT_DIR)" };
    }
    if (!stack) return { ok: false, reason: "the stack name is unknown" };
    const name = stack.split("/").pop()!;
    const candidates = [`Pulumi.${name}.yaml`, `Pulumi.${name}.yml`].map((f) => path.join(projectDir, f));
    file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file)
      return { ok: false, reason: `${candidates[0]} does not exist (config may live in Pulumi ESC)` };
  } else if (!fs.existsSync(file)) {
    return { ok: false, reason: `${file} (GOLIVE_STACK_FILE) does not exist` };
  }
  let document: unknown;
  try {
    document = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return {
      ok: false,
      reason: `${file} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const config = (document as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) return { ok: true, file, config: {} };
  if (typeof config !== "object" || Array.isArray(config))
    return { ok: false, reason: `${file}: config is not a map` };
  return { ok: true, file, config: config as Record<string, unknown> };
}

interface PlainLeaf {
  readonly key: string;
  readonly leafName: string;
  readonly value: string;
}

/** Plain (not `secure:`) string leaves of the stack file's config, with their `ns:key.path`. */
export function plainConfigLeaves(config: Record<string, unknown>): PlainLeaf[] {
  const out: PlainLeaf[] = [];
  const visit = (value: unknown, key: string, leafName: string) => {
    if (Array.isArray(value)) {
      value.forEach((element, index) => visit(element, `${key}[${index}]`, leafName));
      return;
    }
    if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      if (Object.keys(record).length === 1 && typeof record.secure === "string") return;
      for (const [child, childValue] of Object.entries(record)) visit(childValue, `${key}.${child}`, child);
      return;
    }
    if (typeof value === "string" && value.trim() !== "") out.push({ key, leafName, value });
  };
  for (const [key, value] of Object.entries(config)) visit(value, key, key.slice(key.indexOf(":") + 1));
  return out;
}

/** `PAGERDUTY_URL`: the name of a secret (golive:providedSecrets key), not a secret. */
function isIdentifier(value: string): boolean {
  return isConstantName(value.trim());
}

/** Config keys whose every value is a secret, whatever the leaf is called. */
const SECRET_CONFIG_KEYS = ["golive:providedSecrets"];

const stackFileSecretsEncrypted: PolicySpec = {
  name: "sec-01-stack-file-secrets-encrypted",
  id: "SEC-01",
  description:
    "The stack file (Pulumi.<stack>.yaml) holds no secret in plain text: secret keys are set with --secret.",
  severity: "critical",
  remediationSteps:
    "Remove the plain value and set it again encrypted: `pulumi config set --secret <key> <value>` (`--path` for nested keys).",
  resource: {
    types: [T.stack],
    validate(_resource, check) {
      const read = readStackFile(check.ctx.projectDir, check.ctx.environment.stackName, check.ctx.stackFile);
      if (!read.ok) {
        check.notice(`the stack file cannot be checked: ${read.reason}`);
        return;
      }
      for (const leaf of plainConfigLeaves(read.config)) {
        const whole = SECRET_CONFIG_KEYS.some((key) => leaf.key === key || leaf.key.startsWith(`${key}.`));
        const format = secretFormat(leaf.value);
        if (format) {
          check.violation(`${read.file}: ${leaf.key} holds ${format.kind} in plain text`);
        } else if (
          whole ||
          (isSecretName(leaf.leafName) && !isReference(leaf.value) && !isIdentifier(leaf.value))
        ) {
          check.violation(`${read.file}: ${leaf.key} is a secret stored in plain text`);
        }
      }
    },
  },
};

const noSecretStackOutputs: PolicySpec = {
  name: "sec-01-no-secret-stack-outputs",
  id: "SEC-01",
  description:
    "Stack outputs carry no secret values. Policies cannot see whether an output is wrapped as a secret, so secrets are not exported at all.",
  severity: "critical",
  remediationSteps:
    "Export the secret's ARN or name instead of its value; consumers read the value from Secrets Manager.",
  stack(resources, check) {
    // Values the stack generated or stored as secrets, known after apply: an output equal to one leaks it.
    const generated = new Map<string, string>();
    for (const resource of resources) {
      const slot =
        resource.type === T.randomPassword || resource.type === T.randomString
          ? "result"
          : resource.type === T.randomBytes
            ? "base64"
            : resource.type === T.secretVersion
              ? "secretString"
              : undefined;
      if (!slot) continue;
      for (const leaf of stringLeaves(peek(resource.props, slot))) {
        if (leaf.unknown || typeof leaf.value !== "string" || leaf.value.length < 12) continue;
        // A stored secret's JSON also holds plain settings (URLs, names): only secret-looking values count.
        const value = leaf.value;
        if (slot !== "secretString" || secretFormat(value) || looksLikeSecretValue(value))
          generated.set(value, `${resource.type} "${resource.name}"`);
      }
    }
    for (const stack of resources.filter((resource) => resource.type === T.stack)) {
      for (const leaf of stringLeaves(stack.props)) {
        const source =
          !leaf.unknown && typeof leaf.value === "string" ? generated.get(leaf.value) : undefined;
        if (source) {
          check.violation(
            `stack output ${formatPath(leaf.path).replace(/^\./, "")} holds the secret value of ${source}`,
            stack.urn,
          );
          continue;
        }
        const where = `stack output ${formatPath(leaf.path).replace(/^\./, "")}`;
        const named = leaf.key !== undefined && isSecretName(leaf.key);
        if (leaf.unknown) {
          if (named) check.undeterminable(where, stack.urn);
          continue;
        }
        const format = secretFormat(leaf.value as string);
        if (format) check.violation(`${where} holds ${format.kind}`, stack.urn);
        else if (named && looksLikeSecretValue(leaf.value as string)) {
          check.violation(`${where} holds a secret value (${leaf.key} is a secret's name)`, stack.urn);
        }
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------
// SEC-02

const MIN_SECRET_LENGTH = 32;
/** A 32-character hex string: the weakest generated secret the item accepts. */
const MIN_SECRET_BITS = 128;

/** Bits of a RandomPassword/RandomString from its length and character classes, or why they are unknown. */
export function secretBits(props: Record<string, unknown>, length: number): number | typeof UNKNOWN {
  const flag = (key: string) => bool(props, key);
  const flags = {
    lower: flag("lower"),
    upper: flag("upper"),
    numeric: flag("numeric"),
    number: flag("number"),
    special: flag("special"),
  };
  const override = peek(props, "overrideSpecial");
  if (Object.values(flags).includes(UNKNOWN) || override === UNKNOWN) return UNKNOWN;
  const specials = typeof override === "string" && override !== "" ? new Set(override).size : 28;
  const alphabet =
    (flags.lower !== false ? 26 : 0) +
    (flags.upper !== false ? 26 : 0) +
    (flags.numeric !== false && flags.number !== false ? 10 : 0) +
    (flags.special !== false ? specials : 0);
  return alphabet <= 1 ? 0 : length * Math.log2(alphabet);
}

function judgeGeneratedSecret(resource: ResourceView, check: Check, urn?: string): void {
  const length = check.mustBeKnown(() => num(resource.props, "length"), `length of "${resource.name}"`, urn);
  if (length === UNKNOWN) return;
  if (length === undefined || length < MIN_SECRET_LENGTH) {
    check.violation(
      `${resource.type} "${resource.name}" is ${length ?? "of unset"} length; generated secrets need ${MIN_SECRET_LENGTH}+ characters`,
      urn,
    );
    return;
  }
  if (resource.type === T.randomBytes) return;
  const bits = check.mustBeKnown(
    () => secretBits(resource.props, length),
    `the character classes of "${resource.name}"`,
    urn,
  );
  if (bits !== UNKNOWN && bits < MIN_SECRET_BITS) {
    check.violation(
      `${resource.type} "${resource.name}" draws from too few characters: about ${Math.floor(bits)} bits of randomness, fewer than a 32-character hex string (${MIN_SECRET_BITS})`,
      urn,
    );
  }
}

/** Inputs that carry a secret into its store or its user: a random value there is a generated secret. */
const SECRET_INPUTS: readonly (readonly [string, string])[] = [
  [T.secretVersion, "secretString"],
  [T.supabaseFunctionSecrets, "secrets"],
  [T.supabaseProject, "databasePassword"],
  [T.lambda, "environment"],
  [T.ssmParameter, "value"],
];

const generatedSecretStrength: PolicySpec = {
  name: "sec-02-generated-secret-strength",
  id: "SEC-02",
  description:
    "Secrets generated by the stack (RandomPassword, secret-named RandomString/RandomBytes) are at least 32 characters.",
  severity: "high",
  remediationSteps:
    "Set `length` to 32 or more (golive:secrets.generated[].length, golive:database.passwordLength).",
  resource: {
    types: [T.randomPassword, T.randomString, T.randomBytes],
    validate(resource, check) {
      if (!isSecretLikeRandom(resource)) return;
      judgeGeneratedSecret(resource, check);
    },
  },
  stack(resources, check) {
    // A RandomString or RandomBytes not named like a secret is one all the same once it is stored as one.
    const index = new StackIndex(resources);
    for (const random of index.ofType(T.randomString, T.randomBytes)) {
      if (!isSecretLikeRandom(random) && isStoredAsSecret(index, random))
        judgeGeneratedSecret(random, check, random.urn);
    }
  },
};

function isSecretLikeRandom(resource: Pick<ResourceView, "type" | "name">): boolean {
  return resource.type === T.randomPassword || /password|secret|token|key|signing/i.test(resource.name);
}

/** Whether a random value is carried into a secret store or a secret input (SECRET_INPUTS). */
function isStoredAsSecret(index: StackIndex, random: PolicyResource): boolean {
  return SECRET_INPUTS.some(([type, prop]) => index.referencing(random, prop, [type]).length > 0);
}

// ------------------------------------------------------------------------------------------------
// SEC-03

/** Variables in any input: `KEY: value` entries and `{name, value}` pairs (edge function secrets). */
export function variables(props: Record<string, unknown>): { name: string; value: unknown; path: string }[] {
  const out: { name: string; value: unknown; path: string }[] = [];
  const visit = (value: unknown, trail: (string | number)[]) => {
    const raw = rawValue(value);
    if (Array.isArray(raw)) {
      raw.forEach((element, index) => visit(element, [...trail, index]));
      return;
    }
    if (typeof raw !== "object" || raw === null) return;
    const record = raw as Record<string, unknown>;
    if (typeof record.name === "string" && "value" in record) {
      out.push({ name: record.name, value: record.value, path: formatPath(trail) });
    }
    for (const [key, child] of Object.entries(record)) {
      if (typeof child === "string") out.push({ name: key, value: child, path: formatPath([...trail, key]) });
      else visit(child, [...trail, key]);
    }
  };
  visit(props, []);
  return out;
}

const noServerSecretsInClientVars: PolicySpec = {
  name: "sec-03-no-server-secrets-in-client-vars",
  id: "SEC-03",
  description:
    "No server secret (service role key, API secrets) sits in a client-exposed variable (NEXT_PUBLIC_*, EXPO_PUBLIC_*, VITE_*, PUBLIC_*, REACT_APP_*).",
  severity: "critical",
  remediationSteps:
    "Rename the variable without the public prefix and read it only on the server; the client gets the anon/publishable key only.",
  resource: {
    validate(resource, check) {
      for (const variable of variables(resource.props)) {
        if (!isClientExposedName(variable.name)) continue;
        const where = `${variable.name} (${variable.path}) of ${resource.type} "${resource.name}"`;
        if (isServerSecretName(variable.name)) {
          check.violation(`${where} is a client-exposed variable named like a server secret`);
          continue;
        }
        const value = rawValue(variable.value);
        if (value === UNKNOWN || leaves(value).some((leaf) => leaf.unknown)) {
          check.undeterminable(`the value of ${where}`);
          continue;
        }
        const format = typeof value === "string" ? secretFormat(value) : undefined;
        if (format) check.violation(`${where} exposes ${format.kind} to the client`);
      }
    },
  },
};

// ------------------------------------------------------------------------------------------------
// SEC-04

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** Allow statements open to everyone (Principal "*"), without a condition. */
export function openStatements(policy: unknown): number {
  let document: unknown = policy;
  if (typeof policy === "string") {
    try {
      document = JSON.parse(policy) as unknown;
    } catch {
      return 0;
    }
  }
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.filter((entry) => {
    const statement = entry as Statement;
    const principal = statement.Principal;
    const everyone =
      principal === "*" ||
      (typeof principal === "object" &&
        principal !== null &&
        [(principal as { AWS?: unknown }).AWS].flat().includes("*"));
    return statement.Effect === "Allow" && everyone && !statement.Condition;
  }).length;
}

const secretsCustomerManagedKey: PolicySpec = {
  name: "sec-04-secrets-customer-managed-key",
  id: "SEC-04",
  description:
    "Secrets Manager secrets are encrypted with a customer-managed KMS key (not aws/secretsmanager) and no resource policy opens them to everyone.",
  severity: "high",
  remediationSteps:
    "Give every secret `kmsKeyId` of the stack's KMS key (the secrets component does), and grant read access to the roles that need it by ARN.",
  resource: {
    types: [T.secret, "aws:secretsmanager/secretPolicy:SecretPolicy", T.ssmParameter],
    validate(resource, check) {
      if (resource.type === T.ssmParameter) {
        if (peek(resource.props, "type") !== "SecureString") return;
        const key = peek(resource.props, "keyId");
        if (key === undefined || key === null || key === "") {
          check.violation(
            `SecureString parameter "${resource.name}" has no keyId: it is encrypted with the AWS-managed key alias/aws/ssm`,
          );
        } else if (typeof key === "string" && /alias\/aws\/ssm$/.test(key)) {
          check.violation(`SecureString parameter "${resource.name}" uses the AWS-managed key alias/aws/ssm`);
        }
        return;
      }
      if (resource.type === T.secret) {
        const key = peek(resource.props, "kmsKeyId");
        if (key === undefined || key === null || key === "") {
          check.violation(
            `secret "${resource.name}" has no kmsKeyId: it is encrypted with the AWS-managed key`,
          );
        } else if (typeof key === "string" && /alias\/aws\/secretsmanager$/.test(key)) {
          check.violation(`secret "${resource.name}" uses the AWS-managed key alias/aws/secretsmanager`);
        }
      }
      const policy = peek(resource.props, "policy");
      if (policy === UNKNOWN) {
        check.undeterminable(`the resource policy of "${resource.name}"`);
      } else if (policy !== undefined && openStatements(policy) > 0) {
        check.violation(`"${resource.name}" has a resource policy that lets anyone (Principal "*") read it`);
      }
    },
  },
};

const kmsKeyRotation: PolicySpec = {
  name: "sec-04-kms-key-rotation",
  id: "SEC-04",
  description: "Customer-managed symmetric KMS keys rotate their key material (enableKeyRotation).",
  severity: "medium",
  remediationSteps: "Set `enableKeyRotation: true` on the key.",
  resource: {
    types: [T.kmsKey],
    validate(resource, check) {
      const spec = peek(resource.props, "customerMasterKeySpec");
      if (typeof spec === "string" && spec !== "SYMMETRIC_DEFAULT") return;
      const rotation = check.known(
        () => peek(resource.props, "enableKeyRotation"),
        `enableKeyRotation of "${resource.name}"`,
      );
      if (rotation !== UNKNOWN && rotation !== true) {
        check.violation(`KMS key "${resource.name}" does not rotate (enableKeyRotation is not true)`);
      }
    },
  },
};

// ------------------------------------------------------------------------------------------------
// SEC-05

const MAX_ROTATION_DAYS = 90;

/** The rotation period of a time.Rotating in days, or why it has none. */
export function rotationDays(props: Record<string, unknown>): number | string {
  const read = (key: string) => num(props, key);
  const fixed = peek(props, "rotationRfc3339");
  if (fixed === UNKNOWN) return "its period is not known at preview";
  if (typeof fixed === "string" && fixed !== "")
    return "it rotates once at a fixed time (rotationRfc3339), not periodically";
  const values = {
    rotationMinutes: read("rotationMinutes"),
    rotationHours: read("rotationHours"),
    rotationDays: read("rotationDays"),
    rotationMonths: read("rotationMonths"),
    rotationYears: read("rotationYears"),
  };
  if (Object.values(values).some((value) => value === UNKNOWN)) return "its period is not known at preview";
  const days = [
    typeof values.rotationMinutes === "number" ? values.rotationMinutes / 1440 : undefined,
    typeof values.rotationHours === "number" ? values.rotationHours / 24 : undefined,
    typeof values.rotationDays === "number" ? values.rotationDays : undefined,
    typeof values.rotationMonths === "number" ? values.rotationMonths * 31 : undefined,
    typeof values.rotationYears === "number" ? values.rotationYears * 366 : undefined,
  ].filter((value): value is number => value !== undefined);
  if (days.length === 0) return "it sets no rotation period (rotationDays)";
  // The provider applies one of several periods (the last it reads wins): the longest may be the one.
  return Math.max(...days);
}

const secretRotation: PolicySpec = {
  name: "sec-05-secret-rotation",
  id: "SEC-05",
  description:
    "In prod, generated secrets rotate at least every 90 days: each RandomPassword is keyed to a time.Rotating of 90 days or less.",
  severity: "high",
  remediationSteps:
    "Set golive:secrets.rotationDays to 90 or less; the secrets component keys every generated password to a time.Rotating. The database password is rotated by runbook, not by the stack (it is protected).",
  resource: {
    types: [T.rotating],
    validate(resource, check) {
      const days = rotationDays(resource.props);
      if (typeof days === "string") {
        if (days.includes("not known")) check.undeterminable(`the rotation period of "${resource.name}"`);
        else check.violation(`time.Rotating "${resource.name}": ${days}`);
      } else if (days > MAX_ROTATION_DAYS) {
        check.violation(
          `time.Rotating "${resource.name}" rotates every ${Math.round(days)} days; prod needs ${MAX_ROTATION_DAYS} or fewer`,
        );
      }
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    const databasePasswords = new Set(
      index
        .ofType(T.supabaseProject)
        .flatMap((project) => index.referencedBy(project, "databasePassword", [T.randomPassword]))
        .map((password) => password.urn),
    );
    const secretRandoms = index
      .ofType(T.randomPassword, T.randomString, T.randomBytes)
      .filter((random) => isSecretLikeRandom(random) || isStoredAsSecret(index, random));
    check.each(secretRandoms, (password) => {
      if (databasePasswords.has(password.urn)) return;
      const rotations = index.referencedBy(password, "keepers", [T.rotating]);
      if (rotations.length === 0) {
        check.violation(
          `generated secret "${password.name}" is not keyed to a time.Rotating, so it never rotates`,
          password.urn,
        );
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// SEC-06: in ./sec-functions (what turns verification off, and every function the stack deploys).

// ------------------------------------------------------------------------------------------------
// SEC-07

/** Secret-bearing inputs, per type. */
const SECRET_CARRIERS: Readonly<Record<string, string>> = {
  [T.secretVersion]: "secretString",
  [T.supabaseFunctionSecrets]: "secrets",
  [T.lambda]: "environment",
  [T.ssmParameter]: "value",
};

const noSharedSecrets: PolicySpec = {
  name: "sec-07-no-shared-secrets",
  id: "SEC-07",
  description:
    "Secret values of one environment never point at the other (its hostnames, names or AWS account): prod and staging keep separate secrets.",
  severity: "high",
  remediationSteps:
    "Give each stack its own provided secrets (`pulumi config set --secret --path 'golive:providedSecrets.<NAME>'` per stack) and let each stack generate its own; never copy a value across environments.",
  resource: {
    types: Object.keys(SECRET_CARRIERS),
    validate(resource, check) {
      const carrier = SECRET_CARRIERS[resource.type]!;
      const other = otherEnvironment(check.env);
      const words = new Set(ENVIRONMENT_WORDS[other]);
      const app = readConfigKey(check.ctx.config, "golive:app", appConfigSchema);
      const otherAccount = app.ok ? app.value?.awsAccounts?.[other] : undefined;
      const carried = peek(resource.props, carrier);
      if (carried === UNKNOWN) {
        check.undeterminable(`.${carrier} of ${resource.type} "${resource.name}"`);
        return;
      }
      let unknown = false;
      for (const leaf of stringLeaves(carried)) {
        if (leaf.unknown) {
          unknown = true;
          continue;
        }
        const value = leaf.value as string;
        const where = `.${carrier}${formatPath(leaf.path)} of ${resource.type} "${resource.name}"`;
        if (otherAccount && value.includes(otherAccount)) {
          check.violation(`${where} refers to the ${other} AWS account`);
          continue;
        }
        const hosts = [...value.matchAll(/[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi)].map((match) =>
          match[0].toLowerCase(),
        );
        const hit = hosts.find((host) => host.split(/[^a-z0-9]+/).some((token) => words.has(token)));
        if (hit) check.violation(`${where} refers to ${other} (${hit})`);
      }
      if (unknown) {
        check.undeterminable(`.${carrier} of ${resource.type} "${resource.name}"`);
      }
    },
  },
};

export const SEC_POLICIES: readonly PolicySpec[] = [
  noPlaintextSecretInputs,
  stackFileSecretsEncrypted,
  noSecretStackOutputs,
  generatedSecretStrength,
  noServerSecretsInClientVars,
  secretsCustomerManagedKey,
  kmsKeyRotation,
  secretRotation,
  edgeFunctionJwt,
  noSharedSecrets,
];
