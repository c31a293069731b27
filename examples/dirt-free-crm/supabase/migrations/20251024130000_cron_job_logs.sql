-- One row per run of each of the 18 scheduled jobs (POST /api/cron/execute/<job>), written by the
-- job runner with the service role; admins read them, cleanup-old-logs prunes them weekly.

create table public.cron_job_logs (
  id bigint generated always as identity primary key,
  job_name text not null check (job_name ~ '^[a-z0-9-]{1,64}$'),
  idempotency_key text,
  attempt smallint not null default 1 check (attempt >= 1),
  status text not null default 'running' check (status in ('running', 'succeeded', 'failed', 'skipped')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  duration_ms integer generated always as
    ((extract(epoch from (finished_at - started_at)) * 1000)::integer) stored,
  items_processed integer check (items_processed >= 0),
  error text,
  check (finished_at is null or finished_at >= started_at)
);
create index cron_job_logs_job_time_idx on public.cron_job_logs (job_name, started_at desc);
create unique index cron_job_logs_idempotency_idx on public.cron_job_logs (job_name, idempotency_key)
  where idempotency_key is not null;

alter table public.cron_job_logs enable row level security;

create policy "cron_job_logs: admins read" on public.cron_job_logs
  for select to authenticated
  using ((select private.is_admin()));
