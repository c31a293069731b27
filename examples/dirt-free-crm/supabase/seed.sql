-- Staging seed data for Dirt Free CRM (golive:database.seedFiles in Pulumi.staging.yaml only; the prod
-- stack never lists it, and it lives outside supabase/migrations so no migration run picks it up).
-- Every address is on the reserved example.com domain; every phone number is a 555 test number.

insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values
  ('11111111-1111-4111-8111-111111111111', 'authenticated', 'authenticated', 'owner@staging.example.com',
   extensions.crypt('staging-owner-password', extensions.gen_salt('bf', 10)), now(),
   '{"provider": "email", "providers": ["email"]}', '{"full_name": "Staging Owner"}'),
  ('22222222-2222-4222-8222-222222222222', 'authenticated', 'authenticated', 'tech@staging.example.com',
   extensions.crypt('staging-tech-password', extensions.gen_salt('bf', 10)), now(),
   '{"provider": "email", "providers": ["email"]}', '{"full_name": "Staging Technician"}'),
  ('33333333-3333-4333-8333-333333333333', 'authenticated', 'authenticated', 'customer@staging.example.com',
   extensions.crypt('staging-customer-password', extensions.gen_salt('bf', 10)), now(),
   '{"provider": "email", "providers": ["email"]}', '{"full_name": "Pat Portal"}');

insert into public.profiles (user_id, full_name, role, phone) values
  ('11111111-1111-4111-8111-111111111111', 'Staging Owner', 'admin', '+15555550100'),
  ('22222222-2222-4222-8222-222222222222', 'Staging Technician', 'technician', '+15555550101');

insert into public.customers
  (id, user_id, portal_user_id, first_name, last_name, email, phone, city, state, postal_code, birthday, customer_since)
values
  ('c0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '33333333-3333-4333-8333-333333333333',
   'Pat', 'Portal', 'customer@staging.example.com', '+15555550110', 'Springfield', 'IL', '62701', '1985-04-12', '2023-04-12'),
  ('c0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', null,
   'Morgan', 'Rivera', 'morgan@staging.example.com', '+15555550111', 'Springfield', 'IL', '62702', '1990-10-24', '2024-10-24'),
  ('c0000000-0000-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', null,
   'Sam', 'Lee', 'sam@staging.example.com', '+15555550112', 'Chatham', 'IL', '62629', null, '2025-01-15');

insert into public.jobs (id, user_id, customer_id, service_type, status, scheduled_at, completed_at, total_cents) values
  ('d0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001',
   'carpet', 'completed', now() - interval '10 days', now() - interval '10 days' + interval '2 hours', 24900),
  ('d0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000002',
   'upholstery', 'completed', now() - interval '3 days', now() - interval '3 days' + interval '90 minutes', 18900),
  ('d0000000-0000-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000003',
   'tile', 'scheduled', now() + interval '2 days', null, 32000);

insert into public.invoices (user_id, customer_id, job_id, number, amount_cents, status, due_date, paid_at) values
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
   'STG-1001', 24900, 'paid', current_date - 5, now() - interval '8 days'),
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000002',
   'STG-1002', 18900, 'sent', current_date + 14, null);

insert into public.opportunities (user_id, customer_id, title, stage, estimated_value_cents, auto_offer_enabled) values
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000002', 'Whole-house carpet refresh', 'contacted', 45000, true),
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000003', 'Rug cleaning add-on', 'new', 9000, false);

insert into public.promotions (user_id, name, kind, discount_percent, channel, status) values
  ('11111111-1111-4111-8111-111111111111', 'Birthday 15% off', 'birthday', 15, 'email', 'active'),
  ('11111111-1111-4111-8111-111111111111', 'Spring clean', 'standard', 10, 'both', 'draft');

insert into public.review_requests (user_id, customer_id, job_id, channel, status, sent_at) values
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
   'email', 'responded', now() - interval '9 days');

insert into public.reviews (user_id, customer_id, source, rating, comment) values
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001', 'portal', 5, 'Carpets look new. (staging data)');

insert into public.loyalty_accounts (id, user_id, customer_id, points_balance, lifetime_points, tier) values
  ('e0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001', 249, 249, 'silver');

insert into public.loyalty_transactions (user_id, loyalty_account_id, points, reason, job_id) values
  ('11111111-1111-4111-8111-111111111111', 'e0000000-0000-4000-8000-000000000001', 249, 'job_completed', 'd0000000-0000-4000-8000-000000000001');

insert into public.loyalty_rewards (user_id, name, points_cost) values
  ('11111111-1111-4111-8111-111111111111', 'Free stain treatment', 200),
  ('11111111-1111-4111-8111-111111111111', '$25 off next clean', 500);

insert into public.referrals (user_id, referrer_customer_id, referral_code, status) values
  ('11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001', 'PATSTAGE01', 'open');

insert into public.vehicles (id, user_id, name, license_plate) values
  ('f0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'Van 1', 'STG-001');

insert into public.vehicle_assignments (user_id, vehicle_id, job_id, technician_id, assigned_date) values
  ('11111111-1111-4111-8111-111111111111', 'f0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000003',
   '22222222-2222-4222-8222-222222222222', current_date + 2);

insert into public.scheduled_reports (user_id, name, report_type, frequency, recipients, next_run_at) values
  ('11111111-1111-4111-8111-111111111111', 'Weekly revenue', 'revenue', 'weekly', '{owner@staging.example.com}',
   date_trunc('week', now()) + interval '7 days 6 hours');
