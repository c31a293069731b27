-- Firebase Cloud Messaging tokens for push-notification-triggers.

create table public.user_fcm_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  fcm_token text not null unique,
  platform text not null check (platform in ('ios', 'android')),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index user_fcm_tokens_user_idx on public.user_fcm_tokens (user_id) where is_active;
