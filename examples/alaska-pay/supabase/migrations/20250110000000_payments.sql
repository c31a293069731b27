-- Alaska Pay (seed 003): the seed names payments, email/SMS/push and audit logging but no tables, so
-- this is a small schema of what it implies: a profile with KYC status, one stored-value account per
-- user and currency, payments between users, and an append-only audit log. Money only moves through
-- the payments edge function (service role) after the processor confirms it; users read their own rows.

create schema if not exists private;
revoke all on schema private from public;

create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  full_name text check (char_length(full_name) <= 200),
  phone text,
  kyc_status text not null default 'pending' check (kyc_status in ('pending', 'verified', 'rejected')),
  created_at timestamptz not null default now()
);

create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete restrict,
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  balance_cents bigint not null default 0 check (balance_cents >= 0),
  status text not null default 'active' check (status in ('active', 'frozen', 'closed')),
  created_at timestamptz not null default now(),
  unique (user_id, currency)
);

create table public.payments (
  id uuid primary key default gen_random_uuid(),
  -- The payer.
  user_id uuid not null references auth.users (id) on delete restrict,
  recipient_id uuid references auth.users (id) on delete restrict,
  amount_cents bigint not null check (amount_cents > 0),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'refunded')),
  processor_payment_id text unique,
  -- The client's key: a retried request never pays twice.
  idempotency_key uuid not null default gen_random_uuid(),
  failure_reason text,
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  unique (user_id, idempotency_key)
);
create index payments_payer_time_idx on public.payments (user_id, created_at desc);
create index payments_recipient_time_idx on public.payments (recipient_id, created_at desc);

alter table public.profiles enable row level security;
alter table public.accounts enable row level security;
alter table public.payments enable row level security;

create policy "profiles: users read their own profile" on public.profiles
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "profiles: users update their own profile" on public.profiles
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
-- KYC status is set by the verification webhook only.
revoke update on public.profiles from anon, authenticated;
grant update (full_name, phone) on public.profiles to authenticated;

create policy "accounts: users read their own accounts" on public.accounts
  for select to authenticated
  using (user_id = (select auth.uid()));

create policy "payments: payer and recipient read the payment" on public.payments
  for select to authenticated
  using (user_id = (select auth.uid()) or recipient_id = (select auth.uid()));
