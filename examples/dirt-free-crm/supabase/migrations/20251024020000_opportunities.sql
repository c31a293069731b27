-- Sales opportunities with automatic offers (process-opportunity-offers), stale detection
-- (check-stale-opportunities) and archiving (archive-old-opportunities).

create table public.opportunities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  title text not null,
  stage text not null default 'new'
    check (stage in ('new', 'contacted', 'offer_sent', 'negotiating', 'won', 'lost')),
  estimated_value_cents integer not null default 0 check (estimated_value_cents >= 0),
  auto_offer_enabled boolean not null default false,
  auto_offer_delay_days integer not null default 3 check (auto_offer_delay_days between 0 and 90),
  last_activity_at timestamptz not null default now(),
  converted_job_id uuid,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade,
  foreign key (converted_job_id, user_id) references public.jobs (id, user_id) on delete restrict
);
create index opportunities_pipeline_idx on public.opportunities (user_id, stage) where archived_at is null;
create index opportunities_activity_idx on public.opportunities (last_activity_at) where archived_at is null;

create table public.opportunity_offers (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  opportunity_id uuid not null,
  discount_percent numeric(5, 2) not null check (discount_percent > 0 and discount_percent <= 50),
  channel text not null check (channel in ('sms', 'email')),
  status text not null default 'pending' check (status in ('pending', 'sent', 'accepted', 'expired')),
  sent_at timestamptz,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  foreign key (opportunity_id, user_id) references public.opportunities (id, user_id) on delete cascade
);
create index opportunity_offers_due_idx on public.opportunity_offers (status, expires_at);

create trigger opportunities_updated_at before update on public.opportunities
  for each row execute function private.set_updated_at();

alter table public.opportunities enable row level security;
alter table public.opportunity_offers enable row level security;

create policy "opportunities: account manages pipeline" on public.opportunities
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "opportunity_offers: account manages offers" on public.opportunity_offers
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
