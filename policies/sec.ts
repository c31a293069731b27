/** SEC: secrets are never plain text, strong, kept from the client, encrypted, rotated, per environment. */
import type { PolicyResource } from "@pulumi/policy";
import { SECRET_ROTATION_MAX_DAYS } from "../lib/limits";
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
import {
  carriesValue,
  classifyValue,
  DEFAULT_MIN_SECRET_CHARS,
  describeEntry,
  isNamingProperty,
  isSecretInput,
  SecretSources,
  secretConfigValues,
  usedAsSecret,
  type Generator,
  variableEntries,
  type Entry,
} from "./lib/secret-classifier";
import { readStackFile } from "./lib/stack-file";
import { rotationTypes, typesOf } from "./catalogue";
import { edgeFunctionJwt } from "./sec-functions";
import { T } from "./lib/types";

export { unverifiedFunctionsInToml } from "./sec-functions";
import { formatPath, peek, stringLeaves, UNKNOWN } from "./lib/unknowns";

// ------------------------------------------------------------------------------------------------
// SEC-01

/** The classifier's provenance, with the pack's configured minimum for a generated secret. */
function sourcesFor(check: Check, resources: readonly PolicyResource[] = []): SecretSources {
  const values = secretConfigValues(check.ctx);
  const minimum = check.config<{ minSecretRandomChars: number }>().minSecretRandomChars;
  return new SecretSources(resources, values, minimum ?? DEFAULT_MIN_SECRET_CHARS);
}

/** Types whose values are generated (random) or rotations, and the stack: their inputs carry no secret here. */
function isGeneratorType(type: string): boolean {
  return type.startsWith("random:") || type.startsWith("time:") || type === T.stack;
}

/**
 * A secret value that depends on a generator reaches `entry`: a violation unless the entry is a
 * place made for secrets, a pointer, a secret input of the provider, or a name.
 */
function exposedEntry(resource: ResourceView, entry: Entry, property: string): boolean {
  if (entry.slot || entry.pointer || isSecretInput(resource, entry)) return false;
  return !(entry.path.length <= 1 && isNamingProperty(property));
}

/** Named like a secret where names are variable names: a variables shape, or CONSTANT_CASE. */
function secretNamed(entry: Entry): boolean {
  return (
    entry.name !== undefined && (entry.variable || isConstantName(entry.name)) && isSecretName(entry.name)
  );
}

const noPlaintextSecretInputs: PolicySpec = {
  name: "sec-01-no-plaintext-secret-inputs",
  id: "SEC-01",
  description:
    "No resource input holds a secret in plain text outside the places made for secrets (Secrets Manager, edge function secrets, the database password).",
  severity: "critical",
  remediationSteps:
    "Keep secret values in golive:secrets (generated) or golive:providedSecrets (set with --secret); resources read them from Secrets Manager at run time (pass the secret's ARN, not its value).",
  configSchema: {
    properties: {
      minSecretRandomChars: {
        type: "integer",
        minimum: 8,
        default: DEFAULT_MIN_SECRET_CHARS,
        description:
          "A RandomString/RandomBytes/RandomId at least this long (characters) used as a value is a credential; shorter ones used as values are ids (a RandomPassword is a secret at any length).",
      },
    },
  },
  resource: {
    validate(resource, check) {
      if (isGeneratorType(resource.type)) return;
      const sources = sourcesFor(check);
      for (const entry of variableEntries(resource)) {
        // Unknown values are decided with their dependencies by the stack part below.
        if (entry.unknown || entry.value === undefined || entry.slot || entry.pointer) continue;
        const where = describeEntry(resource, entry);
        const verdict = classifyValue(entry.value, secretNamed(entry) ? entry.name : undefined, sources);
        if (verdict.kind === "secret") check.violation(`${where} holds ${verdict.why} in plain text`);
      }
    },
  },
  stack(resources, check) {
    // Provenance: a property that depends on a generated secret carries it, whatever it is called,
    // at preview (unknown) as at up (known). Unknowns that nothing decides get a notice naming them.
    const sources = sourcesFor(check, resources);
    for (const resource of resources) {
      if (isGeneratorType(resource.type)) continue;
      const view = resource as ResourceView;
      const entries = variableEntries(view);
      const reported = new Set<string>();
      for (const property of Object.keys(resource.props)) {
        const under = entries.filter((entry) => entry.path[0] === property);
        const secrets = sources
          .dependencies(resource, property)
          .filter((generator) => generator.always || generator.long);
        for (const generator of secrets) {
          const source = `${generator.resource.type} "${generator.resource.name}"`;
          const value = generator.value;
          const reached =
            value !== undefined
              ? under.filter((entry) => entry.value !== undefined && carriesValue(entry.value, value))
              : under.filter((entry) => entry.unknown);
          for (const entry of reached) {
            const where = describeEntry(view, entry);
            if (!exposedEntry(view, entry, property) || reported.has(where)) continue;
            reported.add(where);
            check.violation(
              `${where} carries the generated secret of ${source} in plain text${entry.unknown ? " (it depends on it; the value is computed at apply)" : ""}`,
              resource.urn,
            );
          }
        }
        if (secrets.length > 0) continue;
        for (const entry of under) {
          if (!entry.unknown || !secretNamed(entry) || entry.slot || entry.pointer) continue;
          check.undeterminable(describeEntry(view, entry), resource.urn);
        }
      }
    }
  },
};

export { readStackFile };

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

/**
 * A stack output named as a pointer (`secretArn`, `functionName`, `bucketNames`, `projectRef`,
 * `endpoint`): the one heuristic left for unknown stack outputs, which carry no dependencies.
 */
export function isPointerOutputName(name: string): boolean {
  return /(^|[a-z0-9_])(arns?|ids?|names?|refs?|urls?|uris?|endpoints?|hosts?|hostnames?|domains?|regions?|buckets?|zones?|queues?|topics?|paths?|prefix|versions?|subnets?|groups?|definitions?)$/i.test(
    name,
  );
}

/** An output path with a pointer-named step (`alertTopicArns.critical`) or a public one (`publicVariables`). */
function isPointerOutputPath(path: readonly (string | number)[]): boolean {
  return path.some(
    (segment) => typeof segment === "string" && (isPointerOutputName(segment) || /^public/i.test(segment)),
  );
}

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
    // At preview a stack output computed at apply is unknown, and the engine sends no dependencies
    // for stack outputs (nor a secret mark on an unknown one): when the stack generates secrets, an
    // unknown output that is not named as a pointer may be one of them.
    const generatedSecrets = secretGenerators(resources, check);
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
          else if (generatedSecrets.length > 0 && !isPointerOutputPath(leaf.path)) {
            const generator = generatedSecrets[0]!.resource;
            check.undeterminable(
              `${where} (stack outputs carry no dependencies, and this stack generates the secret of ${generator.type} "${generator.name}")`,
              stack.urn,
            );
          }
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
const RANDOM_ID = "random:index/randomId:RandomId";
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
  if (resource.type === RANDOM_ID) {
    const bytes = check.mustBeKnown(
      () => num(resource.props, "byteLength"),
      `byteLength of "${resource.name}"`,
      urn,
    );
    if (typeof bytes === "number" && bytes < MIN_SECRET_BITS / 8) {
      check.violation(
        `${resource.type} "${resource.name}" has ${bytes} bytes; a generated secret needs ${MIN_SECRET_BITS / 8}+ (${MIN_SECRET_BITS} bits)`,
        urn,
      );
    }
    return;
  }
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

/** Generated values used as secrets (lib/secret-classifier: how they are used, not what they are called). */
function secretGenerators(resources: readonly PolicyResource[], check: Check): Generator[] {
  const sources = sourcesFor(check, resources);
  return [...sources.generators.values()].filter((generator) => usedAsSecret(generator, resources).secret);
}

const generatedSecretStrength: PolicySpec = {
  name: "sec-02-generated-secret-strength",
  id: "SEC-02",
  description:
    "Secrets generated by the stack are at least 32 characters: every RandomPassword, and every RandomString/RandomBytes/RandomId used as a secret (stored in a secret's place, or a long value that is not part of a name).",
  severity: "high",
  remediationSteps:
    "Set `length` to 32 or more (golive:secrets.generated[].length, golive:database.passwordLength).",
  resource: {
    types: [T.randomPassword],
    validate(resource, check) {
      judgeGeneratedSecret(resource, check);
    },
  },
  stack(resources, check) {
    // Other generators are secrets by how they are used, which only the whole stack shows.
    for (const generator of secretGenerators(resources, check)) {
      if (generator.always) continue;
      judgeGeneratedSecret(generator.resource, check, generator.resource.urn);
    }
  },
};

// ------------------------------------------------------------------------------------------------
// SEC-03

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
      // Every variable shape (maps, pairs, Pages {type, value}, bindings, JSON, dotenv) by its name.
      for (const entry of variableEntries(resource)) {
        if (entry.name === undefined || !entry.variable || !isClientExposedName(entry.name)) continue;
        const where = `${entry.name} (${formatPath(entry.path)}) of ${resource.type} "${resource.name}"`;
        if (isServerSecretName(entry.name)) {
          check.violation(`${where} is a client-exposed variable named like a server secret`);
          continue;
        }
        if (entry.value === undefined) continue; // decided with its dependencies below
        const format = secretFormat(entry.value);
        if (format) check.violation(`${where} exposes ${format.kind} to the client`);
      }
    },
  },
  stack(resources, check) {
    // An unknown client-exposed value: a generated secret by its dependency (the up verdict), or
    // undeterminable by its own path when nothing the pack can see decides.
    const sources = sourcesFor(check, resources);
    for (const resource of resources) {
      for (const entry of variableEntries(resource)) {
        if (!entry.unknown || entry.name === undefined || !entry.variable || !isClientExposedName(entry.name))
          continue;
        if (isServerSecretName(entry.name)) continue;
        const where = `${entry.name} (${formatPath(entry.path)}) of ${resource.type} "${resource.name}"`;
        const secret = sources
          .dependencies(resource, String(entry.path[0]))
          .find((generator) => generator.always || generator.long);
        if (secret) {
          check.violation(
            `${where} exposes the generated secret of ${secret.resource.type} "${secret.resource.name}" to the client`,
            resource.urn,
          );
        } else {
          // Another resource's output may be a key it issues (a service role key): not decidable here.
          check.undeterminable(`the value of ${where}`, resource.urn);
        }
      }
    }
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
  description: `In prod, generated secrets rotate at least every ${SECRET_ROTATION_MAX_DAYS} days: each RandomPassword is keyed to a time.Rotating of ${SECRET_ROTATION_MAX_DAYS} days or less.`,
  severity: "high",
  remediationSteps: `Set golive:secrets.rotationDays to ${SECRET_ROTATION_MAX_DAYS} or less; the secrets component keys every generated password to a time.Rotating. The database password is rotated by runbook, not by the stack (it is protected).`,
  resource: {
    types: [T.rotating],
    validate(resource, check) {
      const days = rotationDays(resource.props);
      if (typeof days === "string") {
        if (days.includes("not known")) check.undeterminable(`the rotation period of "${resource.name}"`);
        else check.violation(`time.Rotating "${resource.name}": ${days}`);
      } else if (days > SECRET_ROTATION_MAX_DAYS) {
        check.violation(
          `time.Rotating "${resource.name}" rotates every ${Math.round(days)} days; prod needs ${SECRET_ROTATION_MAX_DAYS} or fewer`,
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
    const secretRandoms = secretGenerators(resources, check).map((generator) => generator.resource);
    check.each(secretRandoms, (password) => {
      if (databasePasswords.has(password.urn)) return;
      const rotations = index.referencedBy(password, "keepers", rotationTypes());
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

const noSharedSecrets: PolicySpec = {
  name: "sec-07-no-shared-secrets",
  id: "SEC-07",
  description:
    "Secret values of one environment never point at the other (its hostnames, names or AWS account): prod and staging keep separate secrets.",
  severity: "high",
  remediationSteps:
    "Give each stack its own provided secrets (`pulumi config set --secret --path 'golive:providedSecrets.<NAME>'` per stack) and let each stack generate its own; never copy a value across environments.",
  resource: {
    // Every type of the catalogue that carries variables or secrets, every shape of them.
    types: typesOf("variables"),
    validate(resource, check) {
      const other = otherEnvironment(check.env);
      const words = new Set(ENVIRONMENT_WORDS[other]);
      const app = readConfigKey(check.ctx.config, "golive:app", appConfigSchema);
      const otherAccount = app.ok ? app.value?.awsAccounts?.[other] : undefined;
      for (const entry of variableEntries(resource)) {
        // Unknown values are this stack's own resources' outputs, judged by ENV-01 (stack part below).
        if (entry.value === undefined || !(entry.variable || entry.slot)) continue;
        const value = entry.value;
        const where = describeEntry(resource, entry);
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
    },
  },
  stack(resources, check) {
    // An unknown value made only of this stack's outputs (ARNs, names) points at this environment;
    // ENV-01 judges where those dependencies live. Two kinds stay open until apply, each named by
    // its own path: a value that depends on nothing the pack can see, and a credential (a value that
    // embeds a generated secret), because credentials are where a program composes the literal
    // host and user around the secret (`jsonStringify({host, password})`, a connection URL) and a
    // first preview sends the composition as one unknown, literals hidden.
    const carriers = new Set(typesOf("variables"));
    const sources = sourcesFor(check, resources);
    for (const resource of resources) {
      if (!carriers.has(resource.type)) continue;
      for (const entry of variableEntries(resource)) {
        if (!entry.unknown || !(entry.variable || entry.slot) || entry.pointer) continue;
        const property = String(entry.path[0]);
        if ((resource.propertyDependencies[property] ?? []).length === 0) {
          check.undeterminable(describeEntry(resource, entry), resource.urn);
          continue;
        }
        const secret = sources
          .dependencies(resource, property)
          .find((generator) => generator.always || generator.long);
        if (secret) {
          check.undeterminable(
            `${describeEntry(resource, entry)} (a credential composed at apply with the generated secret of ${secret.resource.type} "${secret.resource.name}"; the hosts and names around it are not sent at preview)`,
            resource.urn,
          );
        }
      }
    }
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
