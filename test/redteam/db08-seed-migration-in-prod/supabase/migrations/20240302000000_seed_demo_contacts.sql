-- demo data for the sales team's walkthroughs
insert into public.memberships (user_id, org_id)
values ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000aa');
insert into public.contacts (org_id, email)
select '00000000-0000-0000-0000-0000000000aa', 'demo' || g || '@example.com' from generate_series(1, 50) g;
