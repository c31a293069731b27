-- Row level security exactly as the deployment plan's step 1.3 shows it, plus the policy the plan
-- leaves out for user_fcm_tokens (with RLS on and no policy the app could not register its token).
-- A FOR ALL policy without WITH CHECK uses its USING expression for inserts and updates too, so a user
-- can neither read nor write another user's rows.

alter table engagement_events enable row level security;
alter table daily_engagement_scores enable row level security;
alter table user_fcm_tokens enable row level security;

create policy "Users can only see their own data" on engagement_events
for all using (auth.uid() = user_id);

create policy "Users can only see their own scores" on daily_engagement_scores
for all using (auth.uid() = user_id);

create policy "Users manage their own FCM tokens" on user_fcm_tokens
for all to authenticated
using ((select auth.uid()) = user_id)
with check ((select auth.uid()) = user_id);
