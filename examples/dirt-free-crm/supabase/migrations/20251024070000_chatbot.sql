-- Website and portal chatbot: conversations and their messages. Conversations with anonymous visitors
-- have no customer; the account that owns the site owns the conversation.

create table public.chatbot_conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customer_id uuid,
  channel text not null default 'web' check (channel in ('web', 'portal', 'sms')),
  status text not null default 'open' check (status in ('open', 'handed_off', 'closed')),
  started_at timestamptz not null default now(),
  closed_at timestamptz,
  unique (id, user_id),
  foreign key (customer_id, user_id) references public.customers (id, user_id) on delete set null (customer_id)
);
create index chatbot_conversations_open_idx on public.chatbot_conversations (user_id, status);

create table public.chatbot_messages (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  conversation_id uuid not null,
  sender text not null check (sender in ('visitor', 'assistant', 'staff')),
  content text not null check (char_length(content) <= 4000),
  created_at timestamptz not null default now(),
  foreign key (conversation_id, user_id) references public.chatbot_conversations (id, user_id) on delete cascade
);
create index chatbot_messages_conversation_idx on public.chatbot_messages (conversation_id, created_at);

alter table public.chatbot_conversations enable row level security;
alter table public.chatbot_messages enable row level security;

create policy "chatbot_conversations: account manages conversations" on public.chatbot_conversations
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "chatbot_messages: account reads and replies" on public.chatbot_messages
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()) and sender = 'staff');
