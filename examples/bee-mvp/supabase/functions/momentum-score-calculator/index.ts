// momentum-score-calculator: today's momentum score of the signed-in user from their engagement
// events of the last seven days, stored in daily_engagement_scores. The Flutter app calls it with the
// user's session JWT: verify_jwt stays on (seed 002, SEC-06), and every query runs as that user, so
// RLS limits it to their own rows.

const WINDOW_DAYS = 7;
/** Points per event type; anything else counts 1. */
const WEIGHTS: Record<string, number> = { lesson_completed: 10, check_in: 6, goal_logged: 4, app_open: 1 };

function momentumState(score: number): "rising" | "steady" | "needs_care" {
  if (score >= 70) return "rising";
  if (score >= 45) return "steady";
  return "needs_care";
}

Deno.serve(async (request) => {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  const authorization = request.headers.get("authorization") ?? "";
  const token = authorization.replace(/^Bearer /, "");
  const payload = token.split(".")[1];
  if (!payload) return new Response("unauthorized", { status: 401 });
  // The platform verified the signature (verify_jwt); read the subject only.
  const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string };
  if (!claims.sub) return new Response("unauthorized", { status: 401 });

  const apikey = Deno.env.get("SUPABASE_PUBLISHABLE_KEY") ?? Deno.env.get("SUPABASE_ANON_KEY") ?? "";
  const base = `${Deno.env.get("SUPABASE_URL")}/rest/v1`;
  const headers = { apikey, authorization, "content-type": "application/json" };
  const since = new Date(Date.now() - WINDOW_DAYS * 86_400_000).toISOString();

  const events = await fetch(
    `${base}/engagement_events?occurred_at=gte.${since}&select=event_type,occurred_at&order=occurred_at.desc&limit=5000`,
    { headers },
  );
  if (!events.ok) return Response.json({ error: `events: ${events.status}` }, { status: 502 });
  const rows = (await events.json()) as { event_type: string; occurred_at: string }[];

  // Recent days weigh more: today counts fully, a week ago a seventh.
  const now = Date.now();
  let raw = 0;
  for (const row of rows) {
    const ageDays = Math.min(WINDOW_DAYS - 1, Math.floor((now - Date.parse(row.occurred_at)) / 86_400_000));
    raw += (WEIGHTS[row.event_type] ?? 1) * ((WINDOW_DAYS - ageDays) / WINDOW_DAYS);
  }
  const rawScore = Math.round(raw * 100) / 100;
  const finalScore = Math.min(100, Math.round(rawScore * 100) / 100);
  const score = {
    user_id: claims.sub,
    score_date: new Date().toISOString().slice(0, 10),
    raw_score: Math.min(9999.99, rawScore),
    final_score: finalScore,
    momentum_state: momentumState(finalScore),
    events_count: rows.length,
    calculated_at: new Date().toISOString(),
  };
  const upsert = await fetch(`${base}/daily_engagement_scores?on_conflict=user_id,score_date`, {
    method: "POST",
    headers: { ...headers, prefer: "resolution=merge-duplicates,return=minimal" },
    body: JSON.stringify(score),
  });
  if (!upsert.ok) return Response.json({ error: `scores: ${upsert.status}` }, { status: 502 });
  return Response.json(score);
});
