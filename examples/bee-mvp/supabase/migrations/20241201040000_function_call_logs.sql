-- Monitoring of edge function calls (phase 4). The plan's log_function_call is SECURITY DEFINER in
-- public without a search_path: any signed-in (or anonymous) caller could write log rows for any user
-- through the Data API. Here it lives in a schema the API does not expose, pins its search_path, and
-- only the service role (the edge functions) may call it.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to service_role;

create table public.function_call_logs (
  id bigint generated always as identity primary key,
  function_name text not null,
  user_id uuid references auth.users (id) on delete set null,
  execution_time_ms integer not null check (execution_time_ms >= 0),
  success boolean not null,
  error_message text,
  created_at timestamptz not null default now()
);
create index function_call_logs_function_time_idx on public.function_call_logs (function_name, created_at desc);

alter table public.function_call_logs enable row level security;

create policy "function_call_logs: users read their own calls" on public.function_call_logs
  for select to authenticated
  using (user_id = (select auth.uid()));

create function private.log_function_call(
  function_name text,
  user_id uuid,
  execution_time_ms integer,
  success boolean,
  error_message text default null
) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.function_call_logs (function_name, user_id, execution_time_ms, success, error_message, created_at)
  values (function_name, user_id, execution_time_ms, success, error_message, now());
end;
$$;
revoke all on function private.log_function_call(text, uuid, integer, boolean, text) from public;
grant execute on function private.log_function_call(text, uuid, integer, boolean, text) to service_role;
