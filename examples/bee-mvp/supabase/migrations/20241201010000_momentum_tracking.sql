-- Daily momentum scores written by the momentum-score-calculator edge function; the app subscribes to
-- its own row in real time (phase 3).

create table public.daily_engagement_scores (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  score_date date not null,
  raw_score numeric(6, 2) not null default 0 check (raw_score >= 0),
  final_score numeric(5, 2) not null default 0 check (final_score between 0 and 100),
  momentum_state text not null default 'steady' check (momentum_state in ('rising', 'steady', 'needs_care')),
  events_count integer not null default 0 check (events_count >= 0),
  calculated_at timestamptz not null default now(),
  unique (user_id, score_date)
);

alter publication supabase_realtime add table public.daily_engagement_scores;
