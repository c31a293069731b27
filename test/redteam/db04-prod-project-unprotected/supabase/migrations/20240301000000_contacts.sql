create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  email text not null
);
alter table public.contacts enable row level security;
create policy "members read contacts" on public.contacts for select
  using (org_id in (select org_id from public.memberships where user_id = auth.uid()));
create table public.memberships (user_id uuid not null, org_id uuid not null, primary key (user_id, org_id));
alter table public.memberships enable row level security;
create policy "own memberships" on public.memberships for select using (user_id = auth.uid());
