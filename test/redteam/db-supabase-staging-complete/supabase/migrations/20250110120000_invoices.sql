create table public.invoices (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  amount_cents integer not null check (amount_cents >= 0),
  status text not null default 'open'
);
alter table public.invoices enable row level security;
create policy "owner reads invoices" on public.invoices for select using (auth.uid() = owner_id);
