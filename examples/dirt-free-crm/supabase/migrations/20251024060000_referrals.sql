-- Referral codes customers share from the portal; the reward is granted as loyalty points.

create table public.referrals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  referrer_customer_id uuid not null,
  referred_customer_id uuid,
  referral_code text not null unique
    default upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 10))
    check (referral_code ~ '^[A-Z0-9]{6,12}$'),
  referred_email text,
  status text not null default 'open' check (status in ('open', 'signed_up', 'converted', 'rewarded', 'expired')),
  reward_points integer not null default 0 check (reward_points >= 0),
  converted_at timestamptz,
  created_at timestamptz not null default now(),
  foreign key (referrer_customer_id, user_id) references public.customers (id, user_id) on delete cascade,
  foreign key (referred_customer_id, user_id) references public.customers (id, user_id) on delete set null (referred_customer_id)
);
create index referrals_referrer_idx on public.referrals (referrer_customer_id);

alter table public.referrals enable row level security;

create policy "referrals: account manages referrals" on public.referrals
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "referrals: portal user reads own codes" on public.referrals
  for select to authenticated
  using (exists (
    select 1 from public.customers c
     where c.id = referrals.referrer_customer_id and c.portal_user_id = (select auth.uid())
  ));
