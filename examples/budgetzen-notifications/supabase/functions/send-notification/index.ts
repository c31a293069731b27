// send-notification: the app queues a notification for the signed-in user. It is called with the
// user's session JWT, so verify_jwt stays on (SEC-06); the insert runs as that user, under RLS.

const TYPES = new Set([
  "daily_reminder",
  "budget_alert",
  "anomaly_alert",
  "goal_update",
  "achievement",
  "weekly_summary",
]);

interface Body {
  notification_type?: unknown;
  title?: unknown;
  body?: unknown;
  data?: unknown;
  dedupe_key?: unknown;
}

function userId(jwt: string): string | undefined {
  // The platform verified the signature before this code runs (verify_jwt); read the subject only.
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string };
  return claims.sub;
}

Deno.serve(async (request) => {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  const authorization = request.headers.get("authorization") ?? "";
  const user = userId(authorization.replace(/^Bearer /, ""));
  if (!user) return new Response("unauthorized", { status: 401 });

  const input = (await request.json()) as Body;
  if (typeof input.notification_type !== "string" || !TYPES.has(input.notification_type))
    return Response.json({ error: "notification_type is not one of the known types" }, { status: 400 });
  if (typeof input.title !== "string" || input.title.length === 0 || input.title.length > 120)
    return Response.json({ error: "title must be 1 to 120 characters" }, { status: 400 });
  if (typeof input.body !== "string" || input.body.length === 0 || input.body.length > 1000)
    return Response.json({ error: "body must be 1 to 1000 characters" }, { status: 400 });

  // The publishable key identifies the project; the user's JWT makes the insert subject to RLS.
  const apikey = Deno.env.get("SUPABASE_PUBLISHABLE_KEY") ?? Deno.env.get("SUPABASE_ANON_KEY") ?? "";
  const response = await fetch(`${Deno.env.get("SUPABASE_URL")}/rest/v1/notification_queue`, {
    method: "POST",
    headers: { apikey, authorization, "content-type": "application/json", prefer: "return=representation" },
    body: JSON.stringify({
      user_id: user,
      notification_type: input.notification_type,
      title: input.title,
      body: input.body,
      data: typeof input.data === "object" && input.data !== null ? input.data : {},
      dedupe_key: typeof input.dedupe_key === "string" ? input.dedupe_key : null,
    }),
  });
  if (response.status === 409) return Response.json({ duplicate: true });
  if (!response.ok) return Response.json({ error: await response.text() }, { status: 502 });
  const [queued] = (await response.json()) as { id: string }[];
  return Response.json({ queued: queued?.id }, { status: 201 });
});
