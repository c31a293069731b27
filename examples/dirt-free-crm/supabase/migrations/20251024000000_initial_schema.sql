-- Dirt Free CRM: core schema.
-- Every business row belongs to the account that owns it (user_id -> auth.users). Policies compare
-- that column with (select auth.uid()); child rows reference their parent together with user_id, so a
-- row can never point at another account's customer even when its id is known.

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

-- Staff profile of an account; role drives what the app shows (admin, manager, technician, staff).
create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  full_name text not null check (char_length(full_name) between 1 and 200),
  role text not null default 'staff' check (role in ('admin', 'manager', 'technician', 'staff')),
  phone text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.customers (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- The customer's own login for the portal, when they registered.
  portal_user_id uuid references auth.users (id) on delete set null,
  first_name text not null,
  last_name text not null,
  email text,
  phone text,
  address_line1 text,
  city text,
  state text,
  postal_code text,
  birthday date,
  customer_since date not null default current_date,
  sms_opt_out boolean not null default false,
  email_opt_out boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id)
);
create index customers_user_id_idx on public.customers (user_id);
create index customers_portal_user_id_idx on public.customers (portal_user_id);
create index customers_birthday_idx on public.customers (user_id, extract(month from birthday), extract(day from birthday));

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  service_type text not null check (service_type in ('carpet', 'upholstery', 'tile', 'rug', 'water_damage', 'other')),
  status text not null default 'scheduled'
    check (status in ('scheduled', 'in_progress', 'completed', 'cancelled')),
  scheduled_at timestamptz not null,
  completed_at timestamptz,
  total_cents integer not null default 0 check (total_cents >= 0),
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete cascade
);
create index jobs_user_status_idx on public.jobs (user_id, status, scheduled_at);
create index jobs_customer_idx on public.jobs (customer_id);

create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid not null,
  job_id uuid,
  number text not null,
  amount_cents integer not null check (amount_cents >= 0),
  currency text not null default 'usd' check (currency ~ '^[a-z]{3}$'),
  status text not null default 'draft' check (status in ('draft', 'sent', 'paid', 'void', 'refunded')),
  stripe_payment_intent_id text unique,
  due_date date,
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, number),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete restrict,
  foreign key (job_id, user_id) references public.jobs (id, user_id) on delete restrict
);
create index invoices_customer_idx on public.invoices (customer_id);
create index invoices_status_idx on public.invoices (user_id, status, due_date);

create trigger profiles_updated_at before update on public.profiles
  for each row execute function private.set_updated_at();
create trigger customers_updated_at before update on public.customers
  for each row execute function private.set_updated_at();
create trigger jobs_updated_at before update on public.jobs
  for each row execute function private.set_updated_at();
create trigger invoices_updated_at before update on public.invoices
  for each row execute function private.set_updated_at();

alter table public.profiles enable row level security;
alter table public.customers enable row level security;
alter table public.jobs enable row level security;
alter table public.invoices enable row level security;

create policy "profiles: own profile" on public.profiles
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "customers: account manages its customers" on public.customers
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "customers: portal user reads own record" on public.customers
  for select to authenticated
  using (portal_user_id = (select auth.uid()));

create policy "jobs: account manages its jobs" on public.jobs
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "jobs: portal user reads own service history" on public.jobs
  for select to authenticated
  using (exists (
    select 1 from public.customers c
     where c.id = jobs.customer_id and c.portal_user_id = (select auth.uid())
  ));

create policy "invoices: account manages its invoices" on public.invoices
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "invoices: portal user reads own invoices" on public.invoices
  for select to authenticated
  using (exists (
    select 1 from public.customers c
     where c.id = invoices.customer_id and c.portal_user_id = (select auth.uid())
  ));
