-- Audit trail of sensitive operations (checklist DB-07): every insert, update and delete on customers,
-- invoices, jobs and loyalty points is recorded by a trigger. The trail is append-only: no role the API
-- uses may update or delete it; an account reads the entries for its own rows.

create table public.audit_logs (
  id bigint generated always as identity primary key,
  -- The account the changed row belongs to.
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Who made the change: a signed-in user, or null for the server (service role, cron jobs).
  actor_id uuid,
  action text not null check (action in ('insert', 'update', 'delete')),
  table_name text not null,
  record_id text not null,
  old_data jsonb,
  new_data jsonb,
  created_at timestamptz not null default now()
);
create index audit_logs_user_time_idx on public.audit_logs (user_id, created_at desc);
create index audit_logs_record_idx on public.audit_logs (table_name, record_id);

alter table public.audit_logs enable row level security;

create policy "audit_logs: account reads its trail" on public.audit_logs
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Append-only, even for the service role: history is never rewritten through the API.
revoke update, delete, truncate on public.audit_logs from anon, authenticated, service_role;

create function private.record_audit() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed jsonb := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
begin
  insert into public.audit_logs (user_id, actor_id, action, table_name, record_id, old_data, new_data)
  values (
    (changed ->> 'user_id')::uuid,
    (select auth.uid()),
    lower(tg_op),
    tg_table_name,
    changed ->> 'id',
    case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end,
    case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end
  );
  return null;
end;
$$;
revoke all on function private.record_audit() from public;

create trigger customers_audit after insert or update or delete on public.customers
  for each row execute function private.record_audit();
create trigger jobs_audit after insert or update or delete on public.jobs
  for each row execute function private.record_audit();
create trigger invoices_audit after insert or update or delete on public.invoices
  for each row execute function private.record_audit();
create trigger loyalty_transactions_audit after insert or update or delete on public.loyalty_transactions
  for each row execute function private.record_audit();
