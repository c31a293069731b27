-- BEE MVP (seed 002): core engagement events the Flutter app logs (including events queued offline
-- and synchronised later).

create table public.engagement_events (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  event_type text not null check (char_length(event_type) between 1 and 64),
  value jsonb not null default '{}'::jsonb,
  -- When it happened on the device; created_at is when it reached the server.
  occurred_at timestamptz not null default now(),
  -- The client's id for the event, so a retried offline sync does not insert it twice.
  client_event_id uuid,
  created_at timestamptz not null default now(),
  unique (user_id, client_event_id)
);
create index engagement_events_user_time_idx on public.engagement_events (user_id, occurred_at desc);
