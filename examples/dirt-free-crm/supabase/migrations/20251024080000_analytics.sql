-- Analytics: daily metrics per account (calculate-daily-metrics at 01:00), weekly reports
-- (generate-weekly-report Mondays 04:00) and tracked product events.

create table public.daily_metrics (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  metric_date date not null,
  revenue_cents bigint not null default 0 check (revenue_cents >= 0),
  jobs_completed integer not null default 0 check (jobs_completed >= 0),
  new_customers integer not null default 0 check (new_customers >= 0),
  opportunities_created integer not null default 0,
  opportunities_won integer not null default 0,
  promotions_sent integer not null default 0,
  promotions_redeemed integer not null default 0,
  review_requests_sent integer not null default 0,
  reviews_received integer not null default 0,
  loyalty_enrollments integer not null default 0,
  portal_logins integer not null default 0,
  computed_at timestamptz not null default now(),
  unique (user_id, metric_date)
);

create table public.weekly_reports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  week_start date not null default date_trunc('week', current_date)::date check (extract(isodow from week_start) = 1),
  summary jsonb not null default '{}'::jsonb,
  generated_at timestamptz not null default now(),
  unique (user_id, week_start)
);

create table public.analytics_events (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  event_name text not null check (event_name ~ '^[a-z][a-z0-9_.-]{1,63}$'),
  properties jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now()
);
create index analytics_events_user_time_idx on public.analytics_events (user_id, occurred_at desc);

alter table public.daily_metrics enable row level security;
alter table public.weekly_reports enable row level security;
alter table public.analytics_events enable row level security;

create policy "daily_metrics: account reads its metrics" on public.daily_metrics
  for select to authenticated
  using (user_id = (select auth.uid()));

create policy "weekly_reports: account reads its reports" on public.weekly_reports
  for select to authenticated
  using (user_id = (select auth.uid()));

create policy "analytics_events: account records and reads own events" on public.analytics_events
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "analytics_events: account records own events" on public.analytics_events
  for insert to authenticated
  with check (user_id = (select auth.uid()));
