-- Customer portal: sessions (cleaned up by cleanup-expired-sessions), online booking requests and
-- in-app notifications (cleaned up by cleanup-old-notifications).

create table public.portal_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  user_agent text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '30 days',
  check (expires_at > created_at),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade
);
create index portal_sessions_expires_idx on public.portal_sessions (expires_at);

create table public.booking_requests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  service_type text not null check (service_type in ('carpet', 'upholstery', 'tile', 'rug', 'water_damage', 'other')),
  preferred_date date not null,
  preferred_window text not null default 'morning' check (preferred_window in ('morning', 'afternoon', 'evening')),
  status text not null default 'pending' check (status in ('pending', 'confirmed', 'declined', 'cancelled')),
  job_id uuid,
  notes text,
  created_at timestamptz not null default now(),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade,
  foreign key (job_id, user_id) references public.jobs (id, user_id) on delete restrict
);
create index booking_requests_status_idx on public.booking_requests (user_id, status);

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null,
  body text not null default '',
  link text,
  read_at timestamptz,
  created_at timestamptz not null default now()
);
create index notifications_user_created_idx on public.notifications (user_id, created_at desc);

alter table public.portal_sessions enable row level security;
alter table public.booking_requests enable row level security;
alter table public.notifications enable row level security;

create policy "portal_sessions: account reads its sessions" on public.portal_sessions
  for select to authenticated
  using (user_id = (select auth.uid()));

create policy "booking_requests: account manages requests" on public.booking_requests
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "booking_requests: portal user reads own requests" on public.booking_requests
  for select to authenticated
  using (exists (
    select 1 from public.customers c
     where c.id = booking_requests.customer_id and c.portal_user_id = (select auth.uid())
  ));
-- A portal user books for their own customer record, within the account that record belongs to.
create policy "booking_requests: portal user books for self" on public.booking_requests
  for insert to authenticated
  with check (
    status = 'pending' and job_id is null and exists (
      select 1 from public.customers c
       where c.id = booking_requests.customer_id
         and c.user_id = booking_requests.user_id
         and c.portal_user_id = (select auth.uid())
    )
  );

create policy "notifications: own notifications" on public.notifications
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy "notifications: mark own as read" on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
