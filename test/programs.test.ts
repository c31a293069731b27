/**
 * Programs golive did not write, planned as a user would (`golive plan --program DIR`), in up and
 * preview mode: data sources of each provider, an ES module program, computed outputs, and a stack
 * that holds one part of a system. None may fail to plan (exit 2) or record `undefined`.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import type { PlanDocument } from "../tooling/plan/model";

const programs = path.join(__dirname, "fixtures/programs");
const scratch = mkdtempSync(path.join(tmpdir(), "golive-programs-"));

async function plan(
  program: string,
  stack: string,
  preview: boolean,
): Promise<{ code: number; plan: PlanDocument; stderr: string }> {
  const out = path.join(scratch, `${program}-${preview ? "preview" : "up"}`);
  const io = memoryIo({ env: { ...process.env, GOLIVE_POLICY_CLOCK: "2026-03-03T10:00:00Z" } });
  const args = [
    "plan",
    "--program",
    path.join(programs, program),
    "--out",
    out,
    ...(preview ? ["--preview"] : []),
  ];
  const code = await runGolive(args, io);
  const stderr = io.err.join("");
  if (code === 2 || code === 3) throw new Error(`golive plan ${program} exited ${code}: ${stderr}`);
  const plan = JSON.parse(readFileSync(path.join(out, `${stack}.json`), "utf8")) as PlanDocument;
  return { code, plan, stderr };
}

function inputsText(document: PlanDocument): string {
  return JSON.stringify(document.resources.map((resource) => resource.inputs));
}

function inputsOf(document: PlanDocument, type: string, name: string): Record<string, unknown> {
  const found = document.resources.find((resource) => resource.type === type && resource.name === name);
  if (found === undefined) throw new Error(`no ${type} ${name} in the plan`);
  return found.inputs;
}

describe.each([false, true])("programs golive did not write (preview: %s)", (preview) => {
  it("plans AWS data sources and computed outputs without undefined", async () => {
    const { plan: document } = await plan("aws-data-sources", "dev", preview);
    expect(inputsText(document)).not.toContain("undefined");
    const role = inputsOf(document, "aws:iam/role:Role", "web");
    const policy = JSON.parse(String(role.assumeRolePolicy)) as { Statement: Record<string, unknown>[] };
    expect(policy.Statement[0]).toEqual({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { Service: "ec2.amazonaws.com" },
    });
    const ssh = inputsOf(document, "aws:ec2/securityGroupRule:SecurityGroupRule", "admin-ssh");
    const record = inputsOf(document, "aws:route53/record:Record", "www");
    if (preview) {
      // The Elastic IP is created by this deploy: its address is unknown in a preview, as in the engine's.
      expect(ssh.cidrBlocks).toEqual(["[unknown]"]);
    } else {
      // A well-formed address, the same one wherever the program uses it.
      const address = String((record.records as string[])[0]);
      expect(address).toMatch(/^(\d{1,3}\.){3}\d{1,3}$/);
      expect(ssh.cidrBlocks).toEqual([`${address}/32`]);
      const server = inputsOf(document, "aws:ec2/instance:Instance", "web");
      expect(String(server.userData)).toContain("region eu-west-1 partition aws");
      expect(String(server.availabilityZone)).toBe("eu-west-1a");
      const readLogs = inputsOf(document, "aws:iam/rolePolicy:RolePolicy", "web-read-logs");
      expect(String(readLogs.policy)).toContain('"aws:PrincipalAccount": "210987654321"');
    }
  });

  it("plans an ES module program with Cloudflare and random data", async () => {
    const { plan: document } = await plan("cloudflare-esm", "dev", preview);
    expect(inputsText(document)).not.toContain("undefined");
    const record = inputsOf(document, "cloudflare:index/dnsRecord:DnsRecord", "www");
    expect(record.zoneId).toMatch(/^[0-9a-f]{32}$/);
    expect(document.outputs.programDir).toBe("cloudflare-esm");
    if (!preview) expect(String(record.content)).toMatch(/^origin-[0-9a-z]+\.example\.net$/);
  });

  it("lets a non-golive stack with a pinned account and tags pass ENV-01 and the presence checks", async () => {
    const { code, plan: document } = await plan("payments-component", "payments-prod", preview);
    const blocking = document.policy.violations.filter(
      (violation) => violation.kind === "violation" && violation.level === "mandatory",
    );
    expect(blocking.filter((violation) => violation.checklistId === "ENV-01")).toEqual([]);
    const notices = document.policy.violations.filter((violation) => violation.kind === "notice");
    expect(notices.map((notice) => notice.message).join("\n")).toContain("no monthly cost budget exists");
    expect(blocking).toEqual([]);
    expect(code).toBe(0);
  });
});
