-- PiggyBong: fans save toward K-pop goals (concerts, albums, merch). Seed 001 says little about tables,
-- so this is a small schema of what its smoke tests and metrics name: profiles with a paid tier,
-- artists, savings goals, purchase/deposit transactions and a monthly budget. Users see only their own.

create schema if not exists private;
revoke all on schema private from public;

create function private.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- Public catalog used by artist search; written by the import job (service role).
create table public.artists (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  agency text,
  spotify_artist_id text unique,
  ticketmaster_attraction_id text unique,
  created_at timestamptz not null default now()
);
create index artists_name_idx on public.artists (lower(name));

create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  display_name text check (char_length(display_name) <= 60),
  favorite_artist_id uuid references public.artists (id) on delete set null,
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  -- Set from RevenueCat webhooks by the server; users cannot upgrade themselves.
  tier text not null default 'free' check (tier in ('free', 'premium')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.savings_goals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  artist_id uuid references public.artists (id) on delete set null,
  title text not null check (char_length(title) between 1 and 120),
  category text not null default 'other' check (category in ('concert', 'album', 'merch', 'fan_meeting', 'travel', 'other')),
  target_cents bigint not null check (target_cents > 0),
  target_date date,
  achieved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id)
);
create index savings_goals_user_idx on public.savings_goals (user_id);

create table public.transactions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  goal_id uuid,
  kind text not null check (kind in ('deposit', 'withdrawal', 'purchase')),
  amount_cents bigint not null check (amount_cents > 0),
  description text check (char_length(description) <= 200),
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  -- A goal of another user can never be referenced, even by id.
  foreign key (goal_id, user_id) references public.savings_goals (id, user_id) on delete set null (goal_id)
);
create index transactions_user_time_idx on public.transactions (user_id, occurred_at desc);

create table public.monthly_budgets (
  user_id uuid not null references auth.users (id) on delete cascade,
  month date not null check (extract(day from month) = 1),
  limit_cents bigint not null check (limit_cents > 0),
  primary key (user_id, month)
);

create trigger profiles_updated_at before update on public.profiles
  for each row execute function private.set_updated_at();
create trigger savings_goals_updated_at before update on public.savings_goals
  for each row execute function private.set_updated_at();

alter table public.artists enable row level security;
alter table public.profiles enable row level security;
alter table public.savings_goals enable row level security;
alter table public.transactions enable row level security;
alter table public.monthly_budgets enable row level security;

create policy "artists: signed-in users read the catalog" on public.artists
  for select to authenticated
  using (true);

create policy "profiles: users read their own profile" on public.profiles
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "profiles: users create their own profile" on public.profiles
  for insert to authenticated
  with check (user_id = (select auth.uid()) and tier = 'free');
create policy "profiles: users update their own profile" on public.profiles
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
-- The tier column is the server's: users may change only these columns.
revoke update on public.profiles from anon, authenticated;
grant update (display_name, favorite_artist_id, currency) on public.profiles to authenticated;

create policy "savings_goals: users manage their own goals" on public.savings_goals
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "transactions: users manage their own transactions" on public.transactions
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "monthly_budgets: users manage their own budgets" on public.monthly_budgets
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
