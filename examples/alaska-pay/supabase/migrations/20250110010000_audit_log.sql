-- Audit logging (seed 003 "Audit logging enabled", DB-07): every change to accounts, payments and KYC
-- status is recorded by a trigger. Nobody using the API can change or delete an entry.

create table public.audit_log (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete restrict,
  actor_id uuid,
  action text not null check (action in ('insert', 'update', 'delete')),
  table_name text not null,
  record_id text not null,
  old_data jsonb,
  new_data jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_user_time_idx on public.audit_log (user_id, created_at desc);

alter table public.audit_log enable row level security;

create policy "audit_log: users read their own entries" on public.audit_log
  for select to authenticated
  using (user_id = (select auth.uid()));

revoke insert, update, delete, truncate on public.audit_log from anon, authenticated, service_role;

create function private.record_audit() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed jsonb := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
begin
  insert into public.audit_log (user_id, actor_id, action, table_name, record_id, old_data, new_data)
  values (
    (changed ->> 'user_id')::uuid,
    (select auth.uid()),
    lower(tg_op),
    tg_table_name,
    coalesce(changed ->> 'id', changed ->> 'user_id'),
    case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end,
    case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end
  );
  return null;
end;
$$;
revoke all on function private.record_audit() from public;

create trigger accounts_audit after insert or update or delete on public.accounts
  for each row execute function private.record_audit();
create trigger payments_audit after insert or update or delete on public.payments
  for each row execute function private.record_audit();
create trigger profiles_kyc_audit after update of kyc_status on public.profiles
  for each row execute function private.record_audit();
