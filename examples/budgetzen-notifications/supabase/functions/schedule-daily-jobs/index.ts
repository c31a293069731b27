// schedule-daily-jobs: queues the daily notifications; process-queue delivers them.
// Called at 07:00 and 19:00 UTC; it queues the daily reminder for every user who has it enabled.
// The scheduler authenticates with `Authorization: Bearer <CRON_SECRET>`, not a user JWT, so the
// function is deployed with verify_jwt off (declared public in golive:edgeFunctions) and checks the
// secret itself. The scheduler's Idempotency-Key makes the dedupe key, so a retried run queues nothing twice.

function secretKey(): string {
  const keys = Deno.env.get("SUPABASE_SECRET_KEYS");
  if (keys) {
    const parsed = JSON.parse(keys) as Record<string, string>;
    const first = parsed.default ?? Object.values(parsed)[0];
    if (first) return first;
  }
  const legacy = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  if (!legacy) throw new Error("no secret API key in the function's environment");
  return legacy;
}

function authorized(request: Request): boolean {
  const expected = Deno.env.get("CRON_SECRET") ?? "";
  const header = request.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : "";
  if (expected.length < 32 || given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0;
}

Deno.serve(async (request) => {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  if (!authorized(request)) return new Response("unauthorized", { status: 401 });

  const key = secretKey();
  const base = `${Deno.env.get("SUPABASE_URL")}/rest/v1`;
  const headers = { apikey: key, authorization: `Bearer ${key}`, "content-type": "application/json" };
  const run = request.headers.get("idempotency-key") ?? new Date().toISOString().slice(0, 13);

  const users = await fetch(
    `${base}/notification_preferences?daily_reminder_enabled=is.true&select=user_id`,
    { headers },
  );
  if (!users.ok) return new Response(`preferences: ${users.status}`, { status: 502 });
  const rows = (await users.json()) as { user_id: string }[];
  if (rows.length === 0) return Response.json({ queued: 0 });

  // ON CONFLICT (user_id, dedupe_key) DO NOTHING: a retried run adds nothing.
  const insert = await fetch(`${base}/notification_queue?on_conflict=user_id,dedupe_key`, {
    method: "POST",
    headers: { ...headers, prefer: "resolution=ignore-duplicates,return=minimal" },
    body: JSON.stringify(
      rows.map(({ user_id }) => ({
        user_id,
        notification_type: "daily_reminder",
        title: "Time for your daily check-in",
        body: "Log today's spending to stay on budget.",
        dedupe_key: `daily_reminder:${run}`,
      })),
    ),
  });
  if (!insert.ok) return new Response(`queue: ${insert.status} ${await insert.text()}`, { status: 502 });
  return Response.json({ queued: rows.length });
});
