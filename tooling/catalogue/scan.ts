/**
 * Reads a Pulumi provider SDK's own type definitions (the installed `.d.ts`, or the generated `.ts`
 * of a local SDK) and lists, per resource type token, the input property paths of its Args
 * interface, nested input types resolved. The catalogue test matches these paths against the
 * shapes each checklist item cares about, so a provider upgrade that adds a type carrying one
 * cannot pass unnoticed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface ScannedType {
  /** `aws:lambda/function:Function`. */
  readonly type: string;
  /** Input property paths: `environment`, `environment.variables`, `tags`. */
  readonly paths: readonly string[];
}

interface Property {
  readonly name: string;
  readonly typeText: string;
}

/** Doc comments hold braces and angle brackets of examples: drop them before counting. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "");
}

/** The properties of `interface <name> {` starting at `start` (bodies may nest `{ [key: string]: … }`). */
function interfaceBody(text: string, start: number): Property[] {
  let index = text.indexOf("{", start);
  if (index < 0) return [];
  let depth = 0;
  let end = index;
  for (; end < text.length; end++) {
    const char = text[end];
    if (char === "{") depth++;
    else if (char === "}") {
      depth--;
      if (depth === 0) break;
    }
  }
  const body = text.slice(index + 1, end);
  const out: Property[] = [];
  // Top-level members only: track depth while splitting on `;` at depth 0.
  depth = 0;
  let current = "";
  for (index = 0; index < body.length; index++) {
    const char = body[index]!;
    if (char === "{" || char === "<" || char === "(") depth++;
    if (char === "}" || char === ">" || char === ")") depth--;
    if (char === ";" && depth === 0) {
      const match = /^\s*(?:readonly\s+)?["']?([A-Za-z_$][\w$]*)["']?\??\s*:\s*([\s\S]*)$/.exec(current);
      if (match) out.push({ name: match[1]!, typeText: match[2]! });
      current = "";
      continue;
    }
    current += char;
  }
  return out;
}

/** `inputs.lambda.FunctionEnvironment` → its properties, from the SDK's input types file. */
class InputTypes {
  private readonly text: string;
  private readonly cache = new Map<string, Property[]>();
  constructor(file: string | undefined) {
    this.text = file && fs.existsSync(file) ? withoutComments(fs.readFileSync(file, "utf8")) : "";
  }

  properties(qualified: string): Property[] {
    const cached = this.cache.get(qualified);
    if (cached) return cached;
    const parts = qualified.split(".");
    const name = parts.pop()!;
    let scope = 0;
    for (const namespace of parts) {
      const found = this.text.indexOf(`namespace ${namespace} {`, scope);
      if (found < 0) return [];
      scope = found;
    }
    const pattern = new RegExp(`\\binterface ${name}\\s*\\{`, "g");
    pattern.lastIndex = scope;
    const match = pattern.exec(this.text);
    const properties = match ? interfaceBody(this.text, match.index) : [];
    this.cache.set(qualified, properties);
    return properties;
  }
}

function propertyPaths(
  properties: readonly Property[],
  inputs: InputTypes,
  prefix: string,
  depth: number,
): string[] {
  const out: string[] = [];
  for (const property of properties) {
    const here = prefix ? `${prefix}.${property.name}` : property.name;
    out.push(here);
    if (depth >= 3) continue;
    for (const reference of property.typeText.matchAll(/inputs\.((?:[\w$]+\.)*[\w$]+)/g)) {
      out.push(...propertyPaths(inputs.properties(reference[1]!), inputs, here, depth + 1));
    }
  }
  return [...new Set(out)];
}

function walk(dir: string, extension: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "types" || entry.name === "bin") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, extension, out);
    else if (entry.name.endsWith(extension) && !entry.name.endsWith(`.d${extension}`)) out.push(full);
  }
  return out;
}

/**
 * Every resource type of the SDK in `dir`: the token from its `__pulumiType` (in the `.js`, or the
 * `.ts` of a source SDK) and the paths of its `<Name>Args` interface (in the `.d.ts`, or the `.ts`).
 */
export function scanSdk(dir: string): ScannedType[] {
  const source = fs.existsSync(path.join(dir, "index.d.ts")) ? "compiled" : "source";
  const tokenFiles = walk(dir, source === "compiled" ? ".js" : ".ts");
  const inputFile = path.join(dir, "types", source === "compiled" ? "input.d.ts" : "input.ts");
  const inputs = new InputTypes(inputFile);
  const out: ScannedType[] = [];
  for (const file of tokenFiles) {
    const code = fs.readFileSync(file, "utf8");
    // `static __pulumiType = '…'` (tsc output, source SDKs) or `Class.__pulumiType = '…'` (older emit).
    const token = /__pulumiType\s*=\s*['"]([^'"]+)['"]/.exec(code)?.[1];
    if (!token || !token.includes(":") || token.startsWith("pulumi:providers:")) continue;
    const declarations = source === "compiled" ? file.replace(/\.js$/, ".d.ts") : file;
    if (!fs.existsSync(declarations)) continue;
    const text = withoutComments(fs.readFileSync(declarations, "utf8"));
    const className = token.slice(token.lastIndexOf(":") + 1);
    const args = new RegExp(`export interface ${className}Args\\s*\\{`).exec(text);
    const properties = args ? interfaceBody(text, args.index) : [];
    out.push({ type: token, paths: propertyPaths(properties, inputs, "", 0) });
  }
  return out.sort((a, b) => a.type.localeCompare(b.type));
}
