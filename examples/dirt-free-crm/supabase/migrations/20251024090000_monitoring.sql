-- Results of check-system-health (every 15 minutes) and integration status for /api/health/detailed.
-- Written by the server with the service role; readable by the deployment's admins only.

create function private.is_admin() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.profiles p
     where p.user_id = (select auth.uid()) and p.role = 'admin'
  );
$$;
revoke all on function private.is_admin() from public;
grant usage on schema private to authenticated;
grant execute on function private.is_admin() to authenticated;

create table public.system_health_checks (
  id bigint generated always as identity primary key,
  checked_at timestamptz not null default now(),
  status text not null check (status in ('operational', 'degraded', 'down')),
  database_ms integer check (database_ms >= 0),
  details jsonb not null default '{}'::jsonb
);
create index system_health_checks_time_idx on public.system_health_checks (checked_at desc);

create table public.integration_status (
  integration text primary key check (integration in ('database', 'stripe', 'twilio', 'resend', 'sentry')),
  status text not null check (status in ('operational', 'degraded', 'down')),
  last_success_at timestamptz,
  last_error text,
  updated_at timestamptz not null default now()
);

alter table public.system_health_checks enable row level security;
alter table public.integration_status enable row level security;

create policy "system_health_checks: admins read" on public.system_health_checks
  for select to authenticated
  using ((select private.is_admin()));

create policy "integration_status: admins read" on public.integration_status
  for select to authenticated
  using ((select private.is_admin()));
