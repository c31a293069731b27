/**
 * A minimal Supabase database in PGlite (Postgres 18 compiled to WASM, in process): the API roles,
 * the `auth` schema with `auth.uid()`/`auth.jwt()` reading the JWT claims PostgREST sets, a small
 * `auth.users`, `storage` stubs, the realtime publication, and Supabase's default grants on `public`.
 * Only what app migrations commonly reference; anything else can be added with `extraBootstrapSql`.
 */
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { fuzzystrmatch } from "@electric-sql/pglite/contrib/fuzzystrmatch";
import { hstore } from "@electric-sql/pglite/contrib/hstore";
import { ltree } from "@electric-sql/pglite/contrib/ltree";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { pgcrypto } from "@electric-sql/pglite/contrib/pgcrypto";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { uuid_ossp } from "@electric-sql/pglite/contrib/uuid_ossp";
import {
  type DatabaseImage,
  DatabaseImageCache,
  imageKey,
  pgliteVersion,
  type SessionSetting,
} from "./image-cache";
import { defaultCacheDir } from "../cache-dir";
import { type SqlSession, WorkerDatabase } from "./session";

// Supabase's default search_path, set on every session opened here.
const SEARCH_PATH_SQL = `set search_path to "$user", public, extensions;`;

export const SUPABASE_BOOTSTRAP_SQL = `
-- The roles PostgREST switches to. service_role bypasses RLS, as on Supabase.
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;

create schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension "uuid-ossp" with schema extensions;
create extension pgcrypto with schema extensions;
set search_path to "$user", public, extensions;

create schema auth;
grant usage on schema auth to anon, authenticated, service_role;

create table auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255) unique,
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  phone text unique,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  is_super_admin boolean,
  is_anonymous boolean not null default false,
  last_sign_in_at timestamptz,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
alter table auth.users enable row level security;
grant select on auth.users to service_role;

-- As in Supabase Auth: the claims come from the request.jwt.claims setting PostgREST fills per
-- request (request.jwt.claim.sub is the older, per-claim form).
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
create function auth.uid() returns uuid language sql stable as $$
  select nullif(coalesce(
    current_setting('request.jwt.claim.sub', true),
    (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')
  ), '')::uuid
$$;
create function auth.role() returns text language sql stable as $$
  select nullif(coalesce(
    current_setting('request.jwt.claim.role', true),
    (current_setting('request.jwt.claims', true)::jsonb ->> 'role')
  ), '')::text
$$;
create function auth.email() returns text language sql stable as $$
  select nullif(coalesce(
    current_setting('request.jwt.claim.email', true),
    (current_setting('request.jwt.claims', true)::jsonb ->> 'email')
  ), '')::text
$$;

create schema storage;
grant usage on schema storage to anon, authenticated, service_role;
create table storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create table storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  metadata jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now()
);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
create function storage.foldername(name text) returns text[] language sql immutable as $$
  select (string_to_array(name, '/'))[1:greatest(array_length(string_to_array(name, '/'), 1) - 1, 0)]
$$;
create function storage.filename(name text) returns text language sql immutable as $$
  select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)]
$$;
create function storage.extension(name text) returns text language sql immutable as $$
  select reverse(split_part(reverse(storage.filename(name)), '.', 1))
$$;

create publication supabase_realtime;

-- pg_cron and pg_net do not exist in PGlite (their CREATE EXTENSION is skipped); these stand-ins let
-- migrations that schedule jobs or call webhooks apply.
create schema cron;
create table cron.job (
  jobid bigserial primary key,
  schedule text not null,
  command text not null,
  jobname text unique,
  active boolean not null default true
);
create function cron.schedule(job_name text, schedule text, command text) returns bigint language sql as $$
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid
$$;
create function cron.schedule(schedule text, command text) returns bigint language sql as $$
  insert into cron.job (schedule, command) values (schedule, command) returning jobid
$$;
create function cron.unschedule(job_name text) returns boolean language sql as $$
  with removed as (delete from cron.job where jobname = job_name returning 1) select count(*) > 0 from removed
$$;
create function cron.unschedule(job_id bigint) returns boolean language sql as $$
  with removed as (delete from cron.job where jobid = job_id returning 1) select count(*) > 0 from removed
$$;
create schema net;
create function net.http_post(
  url text, body jsonb default '{}', params jsonb default '{}',
  headers jsonb default '{"Content-Type": "application/json"}', timeout_milliseconds integer default 5000
) returns bigint language sql as $$ select 1::bigint $$;
create function net.http_get(
  url text, params jsonb default '{}', headers jsonb default '{}', timeout_milliseconds integer default 5000
) returns bigint language sql as $$ select 1::bigint $$;

-- Supabase's defaults: the API roles may use public and everything created there; RLS is what
-- limits rows.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
`;

/** A bootstrapped database image; every `open()` starts a fresh, independent database from it. */
export interface SupabaseDatabaseTemplate {
  open(): Promise<PGlite>;
}

/** Problems with the bootstrap itself (not with the app's migrations). */
export class BootstrapError extends Error {
  override readonly name = "BootstrapError";
}

// Extensions Supabase offers that PGlite ships; a migration may CREATE EXTENSION any of them.
const EXTENSIONS = {
  uuid_ossp,
  pgcrypto,
  pg_trgm,
  citext,
  hstore,
  ltree,
  unaccent,
  fuzzystrmatch,
  btree_gist,
  btree_gin,
};

/** A fresh Supabase-like database, bootstrapped, for one run. Close it when done. */
export async function openSupabaseDatabase(extraBootstrapSql = ""): Promise<PGlite> {
  const db = await PGlite.create({ extensions: EXTENSIONS });
  try {
    await bootstrap(db, extraBootstrapSql);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/**
 * The same database in a worker thread, every statement limited to `statementTimeoutMs` (PGlite in
 * process cannot stop a statement that loops; see session.ts). What `golive db check` uses. It starts
 * from an image of the bootstrapped database kept in `cache` (image-cache.ts) when there is one, and
 * leaves one there when there is not.
 */
export async function openLimitedSupabaseDatabase(
  statementTimeoutMs: number,
  extraBootstrapSql = "",
  cache: DatabaseImageCache = new DatabaseImageCache(defaultCacheDir()),
): Promise<WorkerDatabase> {
  const key = imageKey({
    pgliteVersion: pgliteVersion(),
    bootstrapSql: SUPABASE_BOOTSTRAP_SQL,
    extensions: Object.keys(EXTENSIONS),
    extraBootstrapSql,
  });
  const image = cache.read(key);
  if (image !== undefined) {
    const db = await openFromImage(image, statementTimeoutMs);
    if (db !== undefined) return db;
    // Postgres would not start from it: never a failed check because of the cache.
    cache.discard(key);
  }
  const db = await WorkerDatabase.open(Object.keys(EXTENSIONS), startLimitMs(statementTimeoutMs));
  try {
    await bootstrap(db, extraBootstrapSql);
    if (cache.dir !== undefined) await saveImage(db, cache, key);
    db.statementTimeoutMs = statementTimeoutMs;
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/**
 * The limit while golive starts and prepares the database: its own bootstrap (or an image's
 * settings) must not fail a short limit on a busy machine, and still ends.
 */
function startLimitMs(statementTimeoutMs: number): number {
  return Math.max(statementTimeoutMs, 600_000);
}

/** How the database was started: from a saved image, or by initdb and the bootstrap. */
export type DatabaseOrigin = "image" | "bootstrap";

const origins = new WeakMap<WorkerDatabase, DatabaseOrigin>();

/** Whether `openLimitedSupabaseDatabase` started `db` from a saved image (tests count bootstraps so). */
export function databaseOrigin(db: WorkerDatabase): DatabaseOrigin {
  return origins.get(db) ?? "bootstrap";
}

async function openFromImage(
  image: DatabaseImage,
  statementTimeoutMs: number,
): Promise<WorkerDatabase | undefined> {
  let db: WorkerDatabase;
  try {
    db = await WorkerDatabase.open(Object.keys(EXTENSIONS), startLimitMs(statementTimeoutMs), image.dataDir);
  } catch {
    return undefined;
  }
  try {
    // The session the bootstrap left (search_path, anything extraBootstrapSql SET), as it left it.
    await db.query(
      `select set_config(s.name, s.setting, false) from jsonb_to_recordset($1::jsonb) as s(name text, setting text)`,
      [JSON.stringify(image.settings)],
    );
    const ready = await db.query<{ ready: boolean }>(`select to_regclass('auth.users') is not null as ready`);
    if (ready.rows[0]?.ready !== true) throw new Error("not a bootstrapped database");
  } catch {
    await db.close();
    return undefined;
  }
  db.statementTimeoutMs = statementTimeoutMs;
  origins.set(db, "image");
  return db;
}

/** Saves the freshly bootstrapped database for later runs; a failure only means no image. */
async function saveImage(db: WorkerDatabase, cache: DatabaseImageCache, key: string): Promise<void> {
  try {
    // The settings this session changed (SET), to replay on a database started from the image.
    const settings = await db.query<SessionSetting>(
      `select name, setting from pg_settings where source = 'session' order by name`,
    );
    await db.exec("checkpoint");
    cache.write(key, { dataDir: await db.dumpImage(), settings: settings.rows });
  } catch {
    // The database itself is as good as before; the next run tries again.
  }
}

/**
 * Starts Postgres once, runs the bootstrap (and `extraBootstrapSql`, e.g. stubs for `cron` or `vault`),
 * and keeps an image of the data directory, so each later database skips initdb and the bootstrap.
 */
export async function createSupabaseTemplate(extraBootstrapSql = ""): Promise<SupabaseDatabaseTemplate> {
  const db = await openSupabaseDatabase(extraBootstrapSql);
  let image: Blob;
  try {
    image = await db.dumpDataDir("none");
  } finally {
    await db.close();
  }
  return {
    open: async () => {
      const fresh = await PGlite.create({ loadDataDir: image, extensions: EXTENSIONS });
      await fresh.exec(SEARCH_PATH_SQL);
      return fresh;
    },
  };
}

async function bootstrap(db: SqlSession, extraBootstrapSql: string): Promise<void> {
  await db.exec(SUPABASE_BOOTSTRAP_SQL);
  if (extraBootstrapSql.trim() === "") return;
  try {
    await db.exec(extraBootstrapSql);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BootstrapError(`extraBootstrapSql failed: ${reason}; fix that SQL and run again`);
  }
}
