-- Loyalty program: one account per customer, a ledger of point movements (birthday and anniversary
-- points daily at midnight, tier upgrades at 03:00) and rewards to redeem.

create table public.loyalty_accounts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null unique,
  points_balance integer not null default 0 check (points_balance >= 0),
  lifetime_points integer not null default 0 check (lifetime_points >= 0),
  tier text not null default 'bronze' check (tier in ('bronze', 'silver', 'gold', 'platinum')),
  enrolled_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade
);

create table public.loyalty_transactions (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  loyalty_account_id uuid not null,
  points integer not null check (points <> 0),
  reason text not null check (reason in ('job_completed', 'birthday', 'anniversary', 'referral', 'redemption', 'adjustment')),
  job_id uuid,
  note text,
  created_at timestamptz not null default now(),
  foreign key (loyalty_account_id, user_id) references public.loyalty_accounts (id, user_id) on delete cascade,
  foreign key (job_id, user_id) references public.jobs (id, user_id) on delete set null (job_id)
);
create index loyalty_transactions_account_idx on public.loyalty_transactions (loyalty_account_id, created_at desc);

create table public.loyalty_rewards (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  points_cost integer not null check (points_cost > 0),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create trigger loyalty_accounts_updated_at before update on public.loyalty_accounts
  for each row execute function private.set_updated_at();

alter table public.loyalty_accounts enable row level security;
alter table public.loyalty_transactions enable row level security;
alter table public.loyalty_rewards enable row level security;

create policy "loyalty_accounts: account manages members" on public.loyalty_accounts
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "loyalty_accounts: portal user reads own points" on public.loyalty_accounts
  for select to authenticated
  using (exists (
    select 1 from public.customers c
     where c.id = loyalty_accounts.customer_id and c.portal_user_id = (select auth.uid())
  ));

-- The ledger is written by the server (service role); staff read it, nobody edits history.
create policy "loyalty_transactions: account reads ledger" on public.loyalty_transactions
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "loyalty_transactions: portal user reads own ledger" on public.loyalty_transactions
  for select to authenticated
  using (exists (
    select 1 from public.loyalty_accounts la
      join public.customers c on c.id = la.customer_id
     where la.id = loyalty_transactions.loyalty_account_id and c.portal_user_id = (select auth.uid())
  ));

create policy "loyalty_rewards: account manages rewards" on public.loyalty_rewards
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
-- Portal users see the active rewards of the account that serves them.
create policy "loyalty_rewards: portal user reads active rewards" on public.loyalty_rewards
  for select to authenticated
  using (active and exists (
    select 1 from public.customers c
     where c.user_id = loyalty_rewards.user_id and c.portal_user_id = (select auth.uid())
  ));
