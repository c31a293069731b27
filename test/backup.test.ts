/**
 * The Backup component under the engine (prod, up and preview) and its pure rules (lib/backup.ts,
 * lib/backup-schedule.ts), without mocks.
 */
import { describe, expect, it } from "vitest";
import { backupKeys, failedTaskPattern } from "../lib/backup";
import { backupScheduleProblems, freshnessLimitHours, maxGapHours } from "../lib/backup-schedule";
import type { Recording } from "../tooling/engine/record";
import { recordStack } from "./support/record-stack";
import { editKey, stackConfig } from "./support/stacks";

describe("backup timing", () => {
  it("allows 26 h for a daily backup, and sees the day a DST switch skips", () => {
    expect(maxGapHours("0 3 * * *", "UTC")).toBe(24);
    expect(freshnessLimitHours("0 3 * * *", "UTC")).toBe(26);
    // 02:30 does not exist in Berlin on the spring switch: that day has no backup.
    expect(maxGapHours("30 2 * * *", "Europe/Berlin")).toBe(47);
  });

  it("refuses a backup less than daily and a drill less than weekly, naming the key", () => {
    const problems = backupScheduleProblems({
      schedule: "0 3 * * 1",
      timeZone: "UTC",
      drill: { enabled: true, schedule: "0 5 1 * *" },
    });
    expect(problems.map((p) => p.path.join("."))).toEqual(["schedule", "drill.schedule"]);
    expect(problems[0]!.message).toMatch(/the backup must run at least every 24 h \(DB-03\)/);
  });
});

describe("backup keys and lifecycle", () => {
  it("keeps Sunday's backup weekly and the 1st's monthly; a manual one apart", () => {
    expect(backupKeys("app-prod", new Date("2026-03-01T03:00:00Z"), "scheduled", 0)).toEqual([
      "daily/2026/03/01/app-prod-20260301T030000Z.dump",
      "weekly/2026/03/01/app-prod-20260301T030000Z.dump",
      "monthly/2026/03/01/app-prod-20260301T030000Z.dump",
    ]);
    expect(backupKeys("app-prod", new Date("2026-03-03T03:00:00Z"), "manual", 0)).toEqual([
      "manual/2026/03/03/app-prod-20260303T030000Z.dump",
    ]);
  });

  it("matches failed tasks of its families only", () => {
    expect(failedTaskPattern("arn:c", ["f"])).toMatchObject({
      detail: { clusterArn: ["arn:c"], group: ["family:f"] },
    });
  });
});

describe.each([false, true])("the prod stack's backup (preview: %s)", (preview) => {
  let recording: Promise<Recording> | undefined;
  const rec = () => (recording ??= recordStack("prod", { preview }));

  it("schedules the backup and the drill as ECS tasks with retries, dead letter and alarms", async () => {
    const r = await rec();
    const of = (type: string) => r.resources.filter((resource) => resource.type === type);
    expect(of("golive:database:Backup")).toHaveLength(1);
    const schedules = of("aws:scheduler/schedule:Schedule").filter((s) => s.name.startsWith("backup-"));
    expect(schedules.map((s) => s.name).sort()).toEqual(["backup-backup", "backup-restore-drill"]);
    for (const schedule of schedules) {
      const target = schedule.inputs.target as Record<string, unknown>;
      expect(target.ecsParameters).toMatchObject({ launchType: "FARGATE" });
      expect(target.retryPolicy).toMatchObject({ maximumRetryAttempts: 3 });
      expect(target.deadLetterConfig).toBeDefined();
    }
    const alarms = of("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
    for (const alarm of [
      "stale",
      "task-failed",
      "dead-letter-not-empty",
      "backup-failed",
      "restore-drill-failed",
    ])
      expect(alarms).toContain(`alerts-alarm-backup-${alarm}`);
    if (!preview) {
      const task = of("aws:ecs/taskDefinition:TaskDefinition").find((t) => t.name === "backup-backup")!;
      const containers = JSON.parse(task.inputs.containerDefinitions as string) as {
        image: string;
        secrets?: { valueFrom: string }[];
      }[];
      expect(containers[0]!.image).toBe("public.ecr.aws/docker/library/postgres:17.6-bookworm");
      expect(containers[0]!.secrets![0]!.valueFrom).toMatch(/^arn:aws:secretsmanager:.*:DATABASE_URL::$/);
      expect(JSON.stringify(containers)).not.toContain('"name":"DATABASE_URL","value"');
      // The NAT address is in the database's network restrictions.
      const eip = of("aws:ec2/eip:Eip")[0]!;
      const settings = of("supabase:index/settings:Settings")[0]!;
      const restrictions = (JSON.parse(settings.inputs.network as string) as { restrictions: string[] })
        .restrictions;
      expect(restrictions).toContain(`${eip.outputs?.publicIp as string}/32`);
    }
  });
});

describe("staging backups", () => {
  it("are off by default and on when golive:database.backups.enabled says so, with a daily drill", async () => {
    const off = await recordStack("staging", { preview: false });
    expect(off.resources.filter((r) => r.type.startsWith("golive:database:Backup"))).toEqual([]);
    const settings = off.resources.find((r) => r.type === "supabase:index/settings:Settings")!;
    expect(JSON.parse(settings.inputs.network as string)).toEqual({
      restrictions: ["76.76.21.0/24", "44.210.10.0/24"],
    });

    const config = editKey(stackConfig("staging"), "golive:database", (database) => {
      database.backups = {
        ...(database.backups as Record<string, unknown>),
        enabled: true,
        drill: { schedule: "0 6 * * *" },
      };
    });
    const on = await recordStack("staging", { preview: false, config });
    const drill = on.resources.find(
      (r) => r.type === "aws:scheduler/schedule:Schedule" && r.name === "backup-restore-drill",
    )!;
    expect(drill.inputs.scheduleExpression).toBe("cron(0 6 * * ? *)");
  });

  it("refuses a weekly backup schedule with the key and the rule", async () => {
    const config = editKey(stackConfig("prod"), "golive:database", (database) => {
      database.backups = { ...(database.backups as Record<string, unknown>), schedule: "0 3 * * 0" };
    });
    await expect(recordStack("prod", { preview: true, config })).rejects.toThrow(
      /golive:database\.backups\.schedule\n\s+"0 3 \* \* 0" leaves up to 168 h between runs; the backup must run at least every 24 h \(DB-03\)/,
    );
  });
});
