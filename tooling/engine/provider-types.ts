/**
 * The shapes of provider functions' results and resources' outputs, read from the installed
 * provider SDK's own type definitions (`@pulumi/<package>/**.d.ts`), so the mocks can answer any
 * data source and fill any computed output with a value of the declared type.
 *
 * A token `aws:ec2/getAmi:getAmi` lives in `@pulumi/aws/ec2/getAmi.d.ts` (module `index` at the
 * package root); its result interface may refer to `outputs.ec2.X`, declared in
 * `types/output.d.ts`. Files are parsed once with the TypeScript parser and cached.
 *
 * Parsing `@pulumi/aws`'s declarations costs about 1.5 s of CPU per process, so each shape is also
 * kept on disk (tooling/cache-dir.ts), keyed by the SDK's folder and version and by this file's own
 * text: a new SDK version or a change to how shapes are read computes them again.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import ts from "typescript";
import { defaultCacheDir, writeCacheFile } from "../cache-dir";

export type Shape =
  | { readonly kind: "string" }
  | { readonly kind: "number" }
  | { readonly kind: "boolean" }
  | { readonly kind: "literal"; readonly value: string | number | boolean }
  | { readonly kind: "array"; readonly element: Shape }
  | { readonly kind: "map"; readonly value: Shape }
  | { readonly kind: "object"; readonly properties: Readonly<Record<string, Property>> }
  | { readonly kind: "any" };

export interface Property {
  readonly shape: Shape;
  readonly optional: boolean;
}

const GOLIVE_ROOT = path.resolve(__dirname, "..", "..");
const MAX_DEPTH = 8;

const sourceFiles = new Map<string, ts.SourceFile | undefined>();

function sourceFile(file: string): ts.SourceFile | undefined {
  if (!sourceFiles.has(file)) {
    sourceFiles.set(
      file,
      existsSync(file)
        ? ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false)
        : undefined,
    );
  }
  return sourceFiles.get(file);
}

const packageDirs = new Map<string, string | undefined>();

/**
 * The installed SDK of a package: the program's own (it runs from its directory) first, golive's
 * otherwise, as the program itself resolves it.
 */
export function packageDirOf(pkg: string, programDir: string = process.cwd()): string | undefined {
  const key = `${programDir}\0${pkg}`;
  if (!packageDirs.has(key)) {
    let found: string | undefined;
    for (const from of [programDir, GOLIVE_ROOT]) {
      try {
        found = path.dirname(
          createRequire(path.join(from, "package.json")).resolve(`@pulumi/${pkg}/package.json`),
        );
        break;
      } catch {
        // Not installed there; try the next place.
      }
    }
    packageDirs.set(key, found);
  }
  return packageDirs.get(key);
}

interface TokenParts {
  readonly pkg: string;
  readonly module: string;
  readonly member: string;
  readonly name: string;
}

function splitToken(token: string): TokenParts | undefined {
  const match = /^([^:]+):([^:/]+)(?:\/([^:]+))?:([^:]+)$/.exec(token);
  if (!match) return undefined;
  const [, pkg = "", module = "", member = "", name = ""] = match;
  return { pkg, module, member: member || name, name };
}

function declarationFile(dir: string, parts: TokenParts): string {
  return parts.module === "index"
    ? path.join(dir, `${parts.member}.d.ts`)
    : path.join(dir, ...parts.module.split("."), `${parts.member}.d.ts`);
}

function findInterface(
  statements: ts.NodeArray<ts.Statement> | readonly ts.Statement[],
  name: string,
): ts.InterfaceDeclaration | undefined {
  for (const statement of statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) return statement;
  }
  return undefined;
}

/** `outputs.ec2.GetAmiBlockDeviceMapping` in `types/output.d.ts`: namespaces walked by name. */
const namespaceIndex = new Map<string, ts.InterfaceDeclaration | undefined>();

function findInNamespaces(
  file: ts.SourceFile,
  names: readonly string[],
): ts.InterfaceDeclaration | undefined {
  const key = `${file.fileName}\0${names.join(".")}`;
  if (!namespaceIndex.has(key)) namespaceIndex.set(key, searchNamespaces(file, names));
  return namespaceIndex.get(key);
}

function searchNamespaces(
  file: ts.SourceFile,
  names: readonly string[],
): ts.InterfaceDeclaration | undefined {
  let statements: readonly ts.Statement[] = file.statements;
  for (const name of names.slice(0, -1)) {
    const namespace = statements.find(
      (statement): statement is ts.ModuleDeclaration =>
        ts.isModuleDeclaration(statement) && statement.name.text === name,
    );
    const body = namespace?.body;
    if (body === undefined || !ts.isModuleBlock(body)) return undefined;
    statements = body.statements;
  }
  return findInterface(statements, names[names.length - 1] ?? "");
}

function entityNames(name: ts.EntityName): string[] {
  return ts.isIdentifier(name) ? [name.text] : [...entityNames(name.left), name.right.text];
}

interface Scope {
  readonly packageDir: string;
  readonly file: ts.SourceFile;
}

function shapeOfMembers(members: ts.NodeArray<ts.TypeElement>, scope: Scope, depth: number): Shape {
  const properties: Record<string, Property> = {};
  for (const member of members) {
    if (ts.isIndexSignatureDeclaration(member) && member.type) {
      return { kind: "map", value: shapeOf(member.type, scope, depth + 1).shape };
    }
    if (!ts.isPropertySignature(member) || member.type === undefined) continue;
    const name = member.name;
    const key = ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
    if (key === undefined) continue;
    const { shape, optional } = shapeOf(member.type, scope, depth + 1);
    properties[key] = { shape, optional: optional || member.questionToken !== undefined };
  }
  return { kind: "object", properties };
}

/** Interface shapes computed once each: provider types nest deeply and are shared widely. */
const interfaceShapes = new Map<ts.InterfaceDeclaration, Shape>();
const inProgress = new Set<ts.InterfaceDeclaration>();

function interfaceShape(declaration: ts.InterfaceDeclaration, scope: Scope, depth: number): Shape {
  const known = interfaceShapes.get(declaration);
  if (known !== undefined) return known;
  if (inProgress.has(declaration)) return { kind: "any" };
  inProgress.add(declaration);
  try {
    const shape = shapeOfMembers(declaration.members, scope, depth);
    interfaceShapes.set(declaration, shape);
    return shape;
  } finally {
    inProgress.delete(declaration);
  }
}

function shapeOfReference(node: ts.TypeReferenceNode, scope: Scope, depth: number): Property {
  const names = entityNames(node.typeName);
  const last = names[names.length - 1];
  const typeArgument = node.typeArguments?.[0];
  if ((last === "Output" || last === "Input" || last === "Promise") && typeArgument !== undefined) {
    return shapeOf(typeArgument, scope, depth);
  }
  if ((last === "Array" || last === "ReadonlyArray") && typeArgument !== undefined) {
    return {
      shape: { kind: "array", element: shapeOf(typeArgument, scope, depth + 1).shape },
      optional: false,
    };
  }
  if (last === "Record" && node.typeArguments?.[1] !== undefined) {
    return {
      shape: { kind: "map", value: shapeOf(node.typeArguments[1], scope, depth + 1).shape },
      optional: false,
    };
  }
  if (names[0] === "enums") return { shape: { kind: "string" }, optional: false };
  let declaration: ts.InterfaceDeclaration | undefined;
  if (names[0] === "outputs" || names[0] === "inputs") {
    const file = sourceFile(
      path.join(scope.packageDir, "types", names[0] === "outputs" ? "output.d.ts" : "input.d.ts"),
    );
    if (file !== undefined) {
      declaration = findInNamespaces(file, names.slice(1));
      if (declaration !== undefined)
        return { shape: interfaceShape(declaration, { ...scope, file }, depth), optional: false };
    }
  } else if (names.length === 1) {
    declaration = findInterface(scope.file.statements, names[0] ?? "");
    if (declaration !== undefined)
      return { shape: interfaceShape(declaration, scope, depth), optional: false };
  }
  return { shape: { kind: "any" }, optional: false };
}

function shapeOf(node: ts.TypeNode, scope: Scope, depth: number): Property {
  if (depth > MAX_DEPTH) return { shape: { kind: "any" }, optional: true };
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { shape: { kind: "string" }, optional: false };
    case ts.SyntaxKind.NumberKeyword:
      return { shape: { kind: "number" }, optional: false };
    case ts.SyntaxKind.BooleanKeyword:
      return { shape: { kind: "boolean" }, optional: false };
    case ts.SyntaxKind.UndefinedKeyword:
      return { shape: { kind: "any" }, optional: true };
    default:
      break;
  }
  if (ts.isParenthesizedTypeNode(node)) return shapeOf(node.type, scope, depth);
  if (ts.isArrayTypeNode(node)) {
    return {
      shape: { kind: "array", element: shapeOf(node.elementType, scope, depth + 1).shape },
      optional: false,
    };
  }
  if (ts.isLiteralTypeNode(node)) {
    const literal = node.literal;
    if (ts.isStringLiteral(literal))
      return { shape: { kind: "literal", value: literal.text }, optional: false };
    if (ts.isNumericLiteral(literal))
      return { shape: { kind: "literal", value: Number(literal.text) }, optional: false };
    if (literal.kind === ts.SyntaxKind.TrueKeyword)
      return { shape: { kind: "literal", value: true }, optional: false };
    if (literal.kind === ts.SyntaxKind.FalseKeyword)
      return { shape: { kind: "literal", value: false }, optional: false };
    return { shape: { kind: "any" }, optional: true };
  }
  if (ts.isUnionTypeNode(node)) {
    const members = node.types.map((member) => shapeOf(member, scope, depth));
    const optional = members.some((member) => member.optional);
    const present = members.filter((member) => !(member.optional && member.shape.kind === "any"));
    return { shape: present[0]?.shape ?? { kind: "any" }, optional };
  }
  if (ts.isTypeLiteralNode(node))
    return { shape: shapeOfMembers(node.members, scope, depth), optional: false };
  if (ts.isTypeReferenceNode(node)) return shapeOfReference(node, scope, depth);
  return { shape: { kind: "any" }, optional: false };
}

/** What this file computes; part of every disk-cache key, so an edit here invalidates the cache. */
const SHAPE_ALGORITHM = createHash("sha256").update(readFileSync(__filename)).digest("hex");

const packageVersions = new Map<string, string>();

function packageVersionOf(dir: string): string {
  let version = packageVersions.get(dir);
  if (version === undefined) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        version?: unknown;
      };
      version = typeof manifest.version === "string" ? manifest.version : "unknown";
    } catch {
      version = "unknown";
    }
    packageVersions.set(dir, version);
  }
  return version;
}

interface CachedShape {
  readonly key: string;
  readonly shape: Shape | null;
}

/**
 * The shape of `token` from the disk cache, or computed by `compute` and stored. The file holds its
 * full key, so a misnamed or damaged file is never taken for another token's shape.
 */
function cachedShape(
  cacheDir: string | undefined,
  kind: "outputs" | "result",
  token: string,
  dir: string,
  compute: () => Shape | undefined,
): Shape | undefined {
  if (cacheDir === undefined) return compute();
  const key = JSON.stringify([SHAPE_ALGORITHM, kind, dir, packageVersionOf(dir), token]);
  const file = path.join(cacheDir, `${createHash("sha256").update(key).digest("hex")}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, "utf8")) as CachedShape;
    if (cached.key === key) return cached.shape ?? undefined;
  } catch {
    // Not cached yet, or unreadable: computed again below.
  }
  const shape = compute();
  writeCacheFile(file, JSON.stringify({ key, shape: shape ?? null } satisfies CachedShape));
  return shape;
}

/** Shape lookups, each remembered for the process and kept in `cacheDir` (undefined: memory only). */
export interface ProviderShapes {
  /** The declared result of a provider function (`aws:ec2/getAmi:getAmi` → `GetAmiResult`), if installed. */
  readonly functionResultShape: (token: string, programDir?: string) => Shape | undefined;
  /** The declared outputs of a resource class (`aws:ec2/instance:Instance`), if its SDK is installed. */
  readonly resourceOutputShape: (type: string, programDir?: string) => Shape | undefined;
}

export function providerShapes(cacheDir: string | undefined): ProviderShapes {
  const known = new Map<string, Shape | undefined>();
  const lookup = (
    kind: "outputs" | "result",
    token: string,
    programDir: string | undefined,
    parse: (parts: TokenParts, dir: string) => Shape | undefined,
  ): Shape | undefined => {
    const key = `${kind}\0${programDir ?? process.cwd()}\0${token}`;
    if (known.has(key)) return known.get(key);
    const parts = splitToken(token);
    const dir = parts ? packageDirOf(parts.pkg, programDir) : undefined;
    const shape = parts && dir ? cachedShape(cacheDir, kind, token, dir, () => parse(parts, dir)) : undefined;
    known.set(key, shape);
    return shape;
  };
  return {
    functionResultShape: (token, programDir) => lookup("result", token, programDir, parseFunctionResult),
    resourceOutputShape: (type, programDir) => lookup("outputs", type, programDir, parseResourceOutputs),
  };
}

/** Where the process keeps shapes: `provider-shapes` in golive's cache directory (tooling/cache-dir.ts). */
function shapeCacheDir(): string | undefined {
  const dir = defaultCacheDir(process.env, GOLIVE_ROOT);
  return dir === undefined ? undefined : path.join(dir, "provider-shapes");
}

const processShapes = providerShapes(shapeCacheDir());

/** functionResultShape of the process's lookups, cached in golive's cache directory. */
export function functionResultShape(token: string, programDir?: string): Shape | undefined {
  return processShapes.functionResultShape(token, programDir);
}

/** resourceOutputShape of the process's lookups, cached in golive's cache directory. */
export function resourceOutputShape(type: string, programDir?: string): Shape | undefined {
  return processShapes.resourceOutputShape(type, programDir);
}

function parseFunctionResult(parts: TokenParts, dir: string): Shape | undefined {
  const file = sourceFile(declarationFile(dir, parts));
  let result: Shape | undefined;
  if (file) {
    const fn = file.statements.find(
      (statement): statement is ts.FunctionDeclaration =>
        ts.isFunctionDeclaration(statement) &&
        statement.name?.text === parts.name &&
        statement.type !== undefined,
    );
    if (fn?.type !== undefined) {
      const { shape } = shapeOf(fn.type, { packageDir: dir, file }, 0);
      if (shape.kind === "object") result = shape;
    }
  }
  return result;
}

function parseResourceOutputs(parts: TokenParts, dir: string): Shape | undefined {
  const file = sourceFile(declarationFile(dir, parts));
  let result: Shape | undefined;
  if (file) {
    const declaration = file.statements.find(
      (statement): statement is ts.ClassDeclaration =>
        ts.isClassDeclaration(statement) && statement.name?.text === parts.name,
    );
    if (declaration !== undefined) {
      const properties: Record<string, Property> = {};
      for (const member of declaration.members) {
        if (!ts.isPropertyDeclaration(member) || member.type === undefined || !ts.isIdentifier(member.name))
          continue;
        const isStatic = member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword);
        if (isStatic || member.name.text.startsWith("__")) continue;
        const property = shapeOf(member.type, { packageDir: dir, file }, 0);
        properties[member.name.text] = {
          shape: property.shape,
          optional: property.optional || member.questionToken !== undefined,
        };
      }
      result = { kind: "object", properties };
    }
  }
  return result;
}
