-- Reports an account schedules by email (generate-scheduled-reports daily at 06:00) and the log of
-- each generation.

create table public.scheduled_reports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  report_type text not null
    check (report_type in ('revenue', 'customers', 'opportunities', 'promotions', 'reviews', 'loyalty')),
  frequency text not null check (frequency in ('daily', 'weekly', 'monthly')),
  recipients text[] not null default '{}' check (cardinality(recipients) <= 20),
  format text not null default 'pdf' check (format in ('pdf', 'csv')),
  enabled boolean not null default true,
  next_run_at timestamptz,
  last_run_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id)
);
create index scheduled_reports_due_idx on public.scheduled_reports (next_run_at) where enabled;

create table public.report_generation_log (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  scheduled_report_id uuid not null,
  status text not null check (status in ('succeeded', 'failed')),
  storage_path text,
  error text,
  generated_at timestamptz not null default now(),
  foreign key (scheduled_report_id, user_id) references public.scheduled_reports (id, user_id) on delete cascade
);
create index report_generation_log_report_idx on public.report_generation_log (scheduled_report_id, generated_at desc);

create trigger scheduled_reports_updated_at before update on public.scheduled_reports
  for each row execute function private.set_updated_at();

alter table public.scheduled_reports enable row level security;
alter table public.report_generation_log enable row level security;

create policy "scheduled_reports: account manages schedules" on public.scheduled_reports
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "report_generation_log: account reads history" on public.report_generation_log
  for select to authenticated
  using (user_id = (select auth.uid()));
