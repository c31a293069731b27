-- Promotion campaigns and their per-customer deliveries (process-promotion-deliveries every 30 min;
-- birthday and anniversary campaigns scheduled daily).

create table public.promotions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  kind text not null default 'standard' check (kind in ('standard', 'birthday', 'anniversary', 'win_back')),
  discount_percent numeric(5, 2) check (discount_percent > 0 and discount_percent <= 100),
  discount_cents integer check (discount_cents > 0),
  channel text not null default 'email' check (channel in ('sms', 'email', 'both')),
  status text not null default 'draft' check (status in ('draft', 'scheduled', 'active', 'paused', 'ended')),
  starts_at timestamptz,
  ends_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id),
  check (ends_at is null or starts_at is null or ends_at > starts_at)
);
create index promotions_active_idx on public.promotions (user_id, status, kind);

create table public.promotion_deliveries (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  promotion_id uuid not null,
  customer_id uuid not null,
  channel text not null check (channel in ('sms', 'email')),
  status text not null default 'queued' check (status in ('queued', 'sent', 'failed', 'redeemed', 'opted_out')),
  scheduled_for timestamptz not null default now(),
  sent_at timestamptz,
  redeemed_at timestamptz,
  provider_message_id text,
  error text,
  created_at timestamptz not null default now(),
  foreign key (promotion_id, user_id) references public.promotions (id, user_id) on delete cascade,
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade
);
create index promotion_deliveries_due_idx on public.promotion_deliveries (status, scheduled_for);

create trigger promotions_updated_at before update on public.promotions
  for each row execute function private.set_updated_at();

alter table public.promotions enable row level security;
alter table public.promotion_deliveries enable row level security;

create policy "promotions: account manages campaigns" on public.promotions
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "promotion_deliveries: account reads deliveries" on public.promotion_deliveries
  for select to authenticated
  using (user_id = (select auth.uid()));
