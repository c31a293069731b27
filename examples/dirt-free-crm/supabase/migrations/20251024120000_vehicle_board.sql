-- Dispatch board: service vans and which technician takes which van to which job on a day.

create table public.vehicles (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  license_plate text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (id, user_id),
  unique (user_id, name)
);

create table public.vehicle_assignments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  vehicle_id uuid not null,
  job_id uuid not null,
  technician_id uuid references auth.users (id) on delete set null,
  assigned_date date not null,
  status text not null default 'planned' check (status in ('planned', 'en_route', 'on_site', 'done')),
  created_at timestamptz not null default now(),
  unique (vehicle_id, job_id),
  foreign key (vehicle_id, user_id) references public.vehicles (id, user_id) on delete cascade,
  foreign key (job_id, user_id) references public.jobs (id, user_id) on delete cascade
);
create index vehicle_assignments_day_idx on public.vehicle_assignments (user_id, assigned_date);

alter table public.vehicles enable row level security;
alter table public.vehicle_assignments enable row level security;

create policy "vehicles: account manages fleet" on public.vehicles
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "vehicle_assignments: account manages board" on public.vehicle_assignments
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "vehicle_assignments: technician reads own assignments" on public.vehicle_assignments
  for select to authenticated
  using (technician_id = (select auth.uid()));
