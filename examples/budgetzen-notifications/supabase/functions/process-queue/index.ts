// process-queue: sends due notifications from notification_queue through Expo push.
// Called every five minutes by golive's scheduler with `Authorization: Bearer <CRON_SECRET>`, not a
// user JWT, so the function is deployed with verify_jwt off (declared public in golive:edgeFunctions)
// and checks the cron secret itself. Self-contained: the provider uploads only this file.

const BATCH = 100;
const MAX_ATTEMPTS = 5;

function secretKey(): string {
  // New projects inject their secret API keys as JSON; legacy projects the service_role JWT.
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

/** Constant-time comparison of the bearer token with the cron secret. */
function authorized(request: Request): boolean {
  const expected = Deno.env.get("CRON_SECRET") ?? "";
  const header = request.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : "";
  if (expected.length < 32 || given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0;
}

interface QueuedNotification {
  id: string;
  user_id: string;
  notification_type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  priority: "normal" | "high";
  attempts: number;
}

async function rest(path: string, init: RequestInit = {}): Promise<Response> {
  const key = secretKey();
  const response = await fetch(`${Deno.env.get("SUPABASE_URL")}/rest/v1/${path}`, {
    ...init,
    headers: {
      apikey: key,
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });
  if (!response.ok)
    throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

Deno.serve(async (request) => {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  if (!authorized(request)) return new Response("unauthorized", { status: 401 });

  const now = new Date().toISOString();
  // Claim a batch: pending rows that are due move to processing, so an overlapping run skips them.
  const claimed = (await (
    await rest(
      `notification_queue?status=eq.pending&scheduled_for=lte.${now}&order=scheduled_for&limit=${BATCH}`,
      {
        method: "PATCH",
        headers: { prefer: "return=representation" },
        body: JSON.stringify({ status: "processing" }),
      },
    )
  ).json()) as QueuedNotification[];

  let sent = 0;
  let failed = 0;
  for (const item of claimed) {
    const tokens = (await (
      await rest(`push_tokens?user_id=eq.${item.user_id}&is_valid=is.true&select=token`)
    ).json()) as { token: string }[];
    let error: string | undefined;
    if (tokens.length > 0) {
      const push = await fetch("https://exp.host/--/api/v2/push/send", {
        method: "POST",
        headers: {
          authorization: `Bearer ${Deno.env.get("EXPO_ACCESS_TOKEN") ?? ""}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(
          tokens.map(({ token }) => ({
            to: token,
            title: item.title,
            body: item.body,
            data: item.data,
            priority: item.priority,
          })),
        ),
      });
      if (!push.ok) error = `Expo push: ${push.status} ${(await push.text()).slice(0, 500)}`;
    }
    const attempts = item.attempts + 1;
    const status = error === undefined ? "sent" : attempts >= MAX_ATTEMPTS ? "failed" : "pending";
    await rest(`notification_queue?id=eq.${item.id}`, {
      method: "PATCH",
      body: JSON.stringify({ status, attempts, processed_at: new Date().toISOString() }),
    });
    await rest("notification_log", {
      method: "POST",
      body: JSON.stringify({
        user_id: item.user_id,
        queue_id: item.id,
        notification_type: item.notification_type,
        status: error === undefined ? "sent" : "failed",
        error_message: error ?? null,
      }),
    });
    if (error === undefined) sent += 1;
    else failed += 1;
  }
  // A failed delivery is a 200 with a count: the scheduler retries the run, not single deliveries.
  return Response.json({ claimed: claimed.length, sent, failed });
});
