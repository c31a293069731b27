-- Who did what, for the support dashboard.
create table public.audit_events (
  id bigint generated always as identity primary key,
  actor uuid references auth.users (id),
  action text not null,
  payload jsonb,
  at timestamptz not null default now()
);
create index audit_events_actor_idx on public.audit_events (actor);
