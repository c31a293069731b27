/**
 * The map in docs/checklist.md: every checklist item has a table that names, as `file#symbol`, the
 * default that makes it true, the component that declares it, the policies that enforce it and the
 * tests that prove them. This test walks each row the way a newcomer would and fails when a file,
 * a declaration, a policy or a test title is not where the map says.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { POLICY_SPECS } from "../policies/all";
import { CHECKLIST_IDS } from "../policies/lib/checklist";

const root = path.resolve(__dirname, "..");
const DOC = "docs/checklist.md";

const STEPS = ["default", "written by", "component", "limit", "checked by", "policy", "test"] as const;
type Step = (typeof STEPS)[number];
/** Steps every item must have at least one row of (`none` with a reason counts for default and component). */
const REQUIRED_STEPS: readonly Step[] = ["default", "component", "policy", "test"];
const MAP_HEADER = /^\|\s*Step\s*\|\s*Where \(`file#symbol`\)\s*\|\s*What\s*\|\s*$/;

interface MapRow {
  readonly item: string;
  readonly line: number;
  readonly step: string;
  /** `undefined` for a `none` row. */
  readonly file: string | undefined;
  /** A declaration path (`cdnSchema.hsts`) or, for tests, a describe/it title. */
  readonly symbol: string | undefined;
  readonly what: string;
}

/** Split a Markdown table row into its cells (no cell of the map contains a `|`). */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

/** The map tables of the doc, each under the `### <ID>:` heading it follows. */
function parseChecklistMap(text: string): { rows: MapRow[]; tables: Map<string, number> } {
  const rows: MapRow[] = [];
  const tables = new Map<string, number>();
  const lines = text.split("\n");
  let item: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const heading = /^### ([A-Z]+-\d\d):/.exec(lines[index]!);
    if (heading) item = heading[1];
    if (!MAP_HEADER.test(lines[index]!)) continue;
    if (item === undefined)
      throw new Error(`${DOC}:${index + 1}: a map table before any "### <ID>:" heading`);
    tables.set(item, (tables.get(item) ?? 0) + 1);
    index += 2; // header and delimiter rows
    for (; index < lines.length && lines[index]!.trim().startsWith("|"); index++) {
      const [step = "", where = "", what = ""] = cells(lines[index]!);
      const location = /^`([^`#]+)#([^`]+)`$/.exec(where);
      if (where !== "none" && !location) {
        throw new Error(`${DOC}:${index + 1}: the Where cell must be \`file#symbol\` or none, not ${where}`);
      }
      rows.push({ item, line: index + 1, step, file: location?.[1], symbol: location?.[2], what });
    }
  }
  return { rows, tables };
}

const sources = new Map<string, ts.SourceFile>();
function sourceFile(file: string): ts.SourceFile {
  let source = sources.get(file);
  if (!source) {
    source = ts.createSourceFile(
      file,
      fs.readFileSync(path.join(root, file), "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    sources.set(file, source);
  }
  return source;
}

function declaredName(node: ts.Node): string | undefined {
  if (
    ts.isVariableDeclaration(node) ||
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isEnumDeclaration(node) ||
    ts.isPropertyAssignment(node) ||
    ts.isShorthandPropertyAssignment(node) ||
    ts.isPropertySignature(node) ||
    ts.isPropertyDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isMethodSignature(node) ||
    ts.isGetAccessorDeclaration(node)
  ) {
    const name = node.name;
    if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) return name.text;
  }
  return undefined;
}

/** The top-level declaration of `name` in the file (exported or not). */
function topLevelDeclaration(source: ts.SourceFile, name: string): ts.Node | undefined {
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const found = statement.declarationList.declarations.find(
        (declaration) => declaredName(declaration) === name,
      );
      if (found) return found;
    } else if (declaredName(statement) === name) {
      return statement;
    }
  }
  return undefined;
}

/** A member declared anywhere inside `scope` (a schema's key, a class's method, an object's property). */
function memberDeclaration(scope: ts.Node, name: string): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (node !== scope && declaredName(node) === name) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

/** The declaration a `symbol.member.member` path names, or why it is not there. */
function resolveSymbol(file: string, symbolPath: string): ts.Node | string {
  const [head = "", ...members] = symbolPath.split(".");
  let node = topLevelDeclaration(sourceFile(file), head);
  if (!node) return `${file} declares no top-level ${head}`;
  for (const member of members) {
    const next = memberDeclaration(node, member);
    if (!next) return `${file}#${symbolPath}: ${member} is not declared inside the previous name`;
    node = next;
  }
  return node;
}

const TEST_CALLS = new Set(["describe", "it", "test"]);

/** Titles of every describe/it/test block of a test file (`describe.each`, `it.skip` included). */
function testTitles(file: string): Set<string> {
  const titles = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      let callee: ts.Expression = node.expression;
      if (ts.isCallExpression(callee)) callee = callee.expression; // describe.each([...])("title")
      while (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
      const title = node.arguments[0];
      if (
        ts.isIdentifier(callee) &&
        TEST_CALLS.has(callee.text) &&
        title &&
        (ts.isStringLiteral(title) || ts.isNoSubstitutionTemplateLiteral(title))
      ) {
        titles.add(title.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile(file));
  return titles;
}

/** The `name` a PolicySpec object literal declares. */
function policyNameOf(declaration: ts.Node): string | undefined {
  if (!ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  if (!ts.isObjectLiteralExpression(declaration.initializer)) return undefined;
  for (const property of declaration.initializer.properties) {
    if (ts.isPropertyAssignment(property) && declaredName(property) === "name") {
      const value = property.initializer;
      if (ts.isStringLiteral(value)) return value.text;
    }
  }
  return undefined;
}

/** Every problem of the map, one line each; empty when a newcomer can follow every row. */
function mapProblems(text: string): string[] {
  const problems: string[] = [];
  const { rows, tables } = parseChecklistMap(text);
  const ids: readonly string[] = CHECKLIST_IDS;
  for (const id of ids) {
    const count = tables.get(id) ?? 0;
    if (count !== 1) problems.push(`${id}: ${count} map tables (want one, under its "### ${id}:" heading)`);
  }
  for (const id of tables.keys()) {
    if (!ids.includes(id))
      problems.push(`${id}: a map table for an ID that policies/lib/checklist.ts does not list`);
  }
  for (const id of ids) {
    const steps = new Set(rows.filter((row) => row.item === id).map((row) => row.step));
    for (const step of REQUIRED_STEPS) {
      if (!steps.has(step)) problems.push(`${id}: no "${step}" row`);
    }
  }

  for (const row of rows) {
    const at = `${DOC}:${row.line} (${row.item} ${row.step})`;
    if (!(STEPS as readonly string[]).includes(row.step)) {
      problems.push(`${at}: unknown step; use one of ${STEPS.join(", ")}`);
      continue;
    }
    if (row.file === undefined || row.symbol === undefined) {
      if (row.step === "policy" || row.step === "test")
        problems.push(`${at}: a ${row.step} row cannot be none`);
      else if (row.what === "") problems.push(`${at}: a none row must say why in the What cell`);
      continue;
    }
    if (!fs.existsSync(path.join(root, row.file))) {
      problems.push(`${at}: ${row.file} does not exist`);
      continue;
    }
    if (row.step === "test") {
      const title = /^"(.+)"$/.exec(row.symbol)?.[1];
      if (title === undefined) problems.push(`${at}: a test row names a title in quotes: file#"title"`);
      else if (!testTitles(row.file).has(title))
        problems.push(`${at}: ${row.file} has no describe/it "${title}"`);
      continue;
    }
    const declaration = resolveSymbol(row.file, row.symbol);
    if (typeof declaration === "string") {
      problems.push(`${at}: ${declaration}`);
      continue;
    }
    if (row.step === "policy") {
      const named = /`([a-z]+-\d\d-[a-z0-9-]+)`/.exec(row.what)?.[1];
      const declared = policyNameOf(declaration);
      if (named === undefined)
        problems.push(`${at}: the What cell names the policy (\`${row.item.toLowerCase()}-…\`)`);
      else if (declared !== named) {
        problems.push(
          `${at}: ${row.file}#${row.symbol} declares policy ${declared ?? "(none)"}, not ${named}`,
        );
      }
    }
  }

  // Every policy of the pack is on its item's map, and no row names a policy of another item.
  for (const id of ids) {
    const mapped = new Set(
      rows
        .filter((row) => row.item === id && row.step === "policy")
        .map((row) => /`([a-z]+-\d\d-[a-z0-9-]+)`/.exec(row.what)?.[1]),
    );
    const packed = new Set(POLICY_SPECS.filter((spec) => spec.id === id).map((spec) => spec.name));
    for (const name of packed) {
      if (!mapped.has(name)) problems.push(`${id}: policy ${name} has no policy row`);
    }
    for (const name of mapped) {
      if (name !== undefined && !packed.has(name)) {
        problems.push(`${id}: policy row ${name} is not a policy of ${id}`);
      }
    }
    // Each policy is exercised by one of the item's test files (its describe block, or its name in a case).
    const testFiles = rows
      .filter((row) => row.item === id && row.step === "test" && row.file !== undefined)
      .map((row) => row.file!)
      .filter((file) => fs.existsSync(path.join(root, file)));
    for (const name of packed) {
      if (!testFiles.some((file) => sourceFile(file).text.includes(`"${name}"`))) {
        problems.push(`${id}: no test file of its rows names policy ${name}`);
      }
    }
  }
  return problems;
}

describe("docs/checklist.md: the map from each item to default, component, policy and test", () => {
  const text = fs.readFileSync(path.join(root, DOC), "utf8");

  it("every named file, declaration, policy and test title exists, for every checklist item", () => {
    expect(mapProblems(text)).toEqual([]);
  });

  it("fails on a renamed symbol, a missing file, a missing title, a wrong or untested policy, a missing item", () => {
    const first = parseChecklistMap(text).rows.find(
      (row) => row.step === "default" && row.file !== undefined,
    )!;
    const broken = text
      .replace(`#${first.symbol}\``, `#${first.symbol}Renamed\``)
      .replace("`policies/edge.ts#hsts`", "`policies/edge-gone.ts#hsts`")
      .replace(
        '`test/policies/env.test.ts#"env-04-change-window"`',
        '`test/policies/env.test.ts#"env-04-no-such-title"`',
      )
      .replace("`policies/bill.ts#anomalyDetection`", "`policies/bill.ts#monthlyBudget`")
      .replace("### OPS-02:", "### OPS-02 (heading renamed):")
      .replace(
        '`test/policies/edge-endpoints.test.ts#"edge-01-endpoint-tls"`',
        '`test/policies/edge.test.ts#"edge-01-https-only"`',
      );
    const problems = mapProblems(broken).join("\n");
    expect(problems).toContain(`${first.symbol}Renamed`);
    expect(problems).toContain("policies/edge-gone.ts does not exist");
    expect(problems).toContain('no describe/it "env-04-no-such-title"');
    expect(problems).toContain("declares policy bill-01-monthly-budget, not bill-02-cost-anomaly-detection");
    expect(problems).toContain("OPS-02: 0 map tables");
    expect(problems).toContain("EDGE-01: no test file of its rows names policy edge-01-endpoint-tls");
  });
});
