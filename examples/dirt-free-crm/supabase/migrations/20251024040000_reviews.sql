-- Review requests after completed jobs (send-review-requests every 6 hours) and reviews, including
-- those synced from Google (sync-google-reviews daily).

create table public.review_requests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  job_id uuid not null,
  channel text not null check (channel in ('sms', 'email')),
  status text not null default 'pending' check (status in ('pending', 'sent', 'responded', 'failed')),
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  unique (job_id),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade,
  foreign key (job_id, user_id) references public.jobs (id, user_id) on delete cascade
);
create index review_requests_pending_idx on public.review_requests (status, created_at);

create table public.reviews (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid,
  source text not null check (source in ('portal', 'google', 'manual')),
  google_review_id text unique,
  rating smallint not null check (rating between 1 and 5),
  comment text,
  response text,
  responded_at timestamptz,
  reviewed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade
);
create index reviews_user_reviewed_idx on public.reviews (user_id, reviewed_at desc);

alter table public.review_requests enable row level security;
alter table public.reviews enable row level security;

create policy "review_requests: account manages requests" on public.review_requests
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "reviews: account manages reviews" on public.reviews
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
-- A portal user leaves a review for the account that serviced them.
create policy "reviews: portal user reviews own service" on public.reviews
  for insert to authenticated
  with check (
    source = 'portal' and exists (
      select 1 from public.customers c
       where c.id = reviews.customer_id
         and c.user_id = reviews.user_id
         and c.portal_user_id = (select auth.uid())
    )
  );
