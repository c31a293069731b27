-- Views for the monitoring dashboards (phase 6). security_invoker makes each view apply the caller's
-- RLS, so a user sees only their own numbers and the functions (service role) see everything.

create view public.notification_delivery_stats
with (security_invoker = true)
as
select
  date_trunc('hour', sent_at) as hour,
  notification_type,
  count(*) filter (where status in ('sent', 'delivered', 'opened')) as delivered,
  count(*) filter (where status = 'failed') as failed,
  count(*) filter (where status = 'opened') as opened
from public.notification_log
group by 1, 2;

create view public.notification_queue_health
with (security_invoker = true)
as
select
  status,
  count(*) as notifications,
  count(*) filter (where status = 'pending' and scheduled_for < now()) as overdue,
  min(scheduled_for) filter (where status = 'pending') as oldest_pending
from public.notification_queue
group by status;
