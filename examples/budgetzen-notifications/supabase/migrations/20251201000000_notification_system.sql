-- BudgetZen notification system (seed 000, phase 1): the queue process-queue drains every 5 minutes,
-- the delivery log, Expo push tokens and each user's preferences. Users see and manage only their own
-- rows; the edge functions (service role) move notifications through the queue.

create table public.push_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- An Expo push token: ExponentPushToken[...]
  token text not null unique check (token ~ '^Expo(nent)?PushToken\[.+\]$' or char_length(token) between 16 and 512),
  platform text not null check (platform in ('ios', 'android', 'web')),
  is_valid boolean not null default true,
  last_used_at timestamptz,
  created_at timestamptz not null default now()
);
create index push_tokens_user_idx on public.push_tokens (user_id) where is_valid;

create table public.notification_preferences (
  user_id uuid primary key references auth.users (id) on delete cascade,
  timezone text not null default 'UTC',
  daily_reminder_enabled boolean not null default true,
  daily_reminder_time time not null default '19:00',
  budget_alerts_enabled boolean not null default true,
  anomaly_alerts_enabled boolean not null default true,
  goal_updates_enabled boolean not null default true,
  achievements_enabled boolean not null default true,
  weekly_summary_enabled boolean not null default true,
  quiet_hours_start time,
  quiet_hours_end time,
  updated_at timestamptz not null default now()
);

create table public.notification_queue (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  notification_type text not null
    check (notification_type in ('daily_reminder', 'budget_alert', 'anomaly_alert', 'goal_update', 'achievement', 'weekly_summary')),
  title text not null check (char_length(title) <= 120),
  body text not null check (char_length(body) <= 1000),
  data jsonb not null default '{}'::jsonb,
  priority text not null default 'normal' check (priority in ('normal', 'high')),
  -- Same key for the same event: the queue refuses a duplicate (target: < 0.1% duplicates).
  dedupe_key text,
  status text not null default 'pending' check (status in ('pending', 'processing', 'sent', 'failed', 'cancelled')),
  scheduled_for timestamptz not null default now(),
  attempts smallint not null default 0 check (attempts >= 0),
  created_at timestamptz not null default now(),
  processed_at timestamptz,
  unique (user_id, dedupe_key)
);
create index notification_queue_due_idx on public.notification_queue (scheduled_for) where status = 'pending';
create index notification_queue_status_idx on public.notification_queue (status, created_at);

create table public.notification_log (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  queue_id uuid references public.notification_queue (id) on delete set null,
  notification_type text not null,
  status text not null check (status in ('sent', 'delivered', 'failed', 'opened')),
  expo_ticket_id text,
  error_message text,
  sent_at timestamptz not null default now(),
  opened_at timestamptz
);
create index notification_log_user_idx on public.notification_log (user_id, sent_at desc);
create index notification_log_failed_idx on public.notification_log (sent_at) where status = 'failed';

-- Errors the app and the functions report (phase 6 error tracker).
create table public.notification_errors (
  id bigint generated always as identity primary key,
  user_id uuid references auth.users (id) on delete set null,
  source text not null check (source in ('app', 'send-notification', 'process-queue', 'schedule-daily-jobs', 'schedule-weekly-jobs')),
  message text not null check (char_length(message) <= 2000),
  context jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index notification_errors_time_idx on public.notification_errors (created_at desc);

alter table public.push_tokens enable row level security;
alter table public.notification_preferences enable row level security;
alter table public.notification_queue enable row level security;
alter table public.notification_log enable row level security;
alter table public.notification_errors enable row level security;

create policy "push_tokens: users manage their own tokens" on public.push_tokens
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "notification_preferences: users manage their own preferences" on public.notification_preferences
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "notification_queue: users read their own notifications" on public.notification_queue
  for select to authenticated
  using (user_id = (select auth.uid()));
-- The app's queue manager enqueues reminders for its own user; only the functions change their status.
create policy "notification_queue: users enqueue their own notifications" on public.notification_queue
  for insert to authenticated
  with check (user_id = (select auth.uid()) and status = 'pending' and attempts = 0);
create policy "notification_queue: users cancel their own pending notifications" on public.notification_queue
  for update to authenticated
  using (user_id = (select auth.uid()) and status = 'pending')
  with check (user_id = (select auth.uid()) and status in ('pending', 'cancelled'));

create policy "notification_log: users read their own history" on public.notification_log
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "notification_log: users mark their own notifications opened" on public.notification_log
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "notification_errors: users report their own errors" on public.notification_errors
  for insert to authenticated
  with check (user_id = (select auth.uid()));

-- In-app real-time listeners (phase 3) subscribe to their own queue rows; RLS applies to them too.
alter publication supabase_realtime add table public.notification_queue;
