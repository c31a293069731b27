-- What customers do in the portal (logins, bookings, redemptions), for the account's dashboards and
-- the portal-logins metric.

create table public.portal_activity (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  activity text not null
    check (activity in ('login', 'view_history', 'view_invoice', 'book_service', 'redeem_reward', 'share_referral', 'update_profile')),
  metadata jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now(),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade
);
create index portal_activity_user_time_idx on public.portal_activity (user_id, occurred_at desc);

alter table public.portal_activity enable row level security;

create policy "portal_activity: account reads activity" on public.portal_activity
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "portal_activity: portal user records own activity" on public.portal_activity
  for insert to authenticated
  with check (exists (
    select 1 from public.customers c
     where c.id = portal_activity.customer_id
       and c.user_id = portal_activity.user_id
       and c.portal_user_id = (select auth.uid())
  ));
