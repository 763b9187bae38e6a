import fs from 'node:fs';
import path from 'node:path';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

/** What `scripts/platform/postgres.sh start` writes to postgres.json. */
export interface LocalPostgres {
  host: string;
  port: number;
  /** A role that may create databases and is no superuser, as in production. */
  user: string;
  password: string;
  database: string;
  connectionString: string;
  /** The major version, e.g. '15'. */
  version: string;
  serverVersion: string;
  admin: { user: string; password: string };
}

/** The PostgreSQL ids of Backstage's `TestDatabases`. */
export type PostgresTestDatabaseId = `POSTGRES_${
  | 9
  | 11
  | 12
  | 13
  | 14
  | 15
  | 16
  | 17
  | 18}`;

const POSTGRES_MAJORS = [18, 17, 16, 15, 14, 13, 12, 11, 9] as const;

const connectionStringVariable = (major: number | string) =>
  `BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING`;

/** Reads postgres.json; fails with the command to run when PostgreSQL is not up. */
export function readLocalPostgres(): LocalPostgres {
  return readPlatformFile<LocalPostgres>('postgres');
}

/**
 * The PostgreSQL ids to give Backstage's `TestDatabases.create`, next to
 * 'SQLITE_3', so that database tests run on PostgreSQL as well.
 *
 * When the local platform's PostgreSQL is up, sets its
 * `BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING` (unless set
 * already, e.g. to another server), so that every run, scripts/test.sh's and
 * `jest` by hand, finds it.
 * Returns the id of every PostgreSQL such a variable names.
 *
 * With none, a developer's run is on SQLite only; in CI (`CI` set) this throws
 * instead, so that the suite cannot pass without PostgreSQL, and
 * `TestDatabases` never goes looking for Docker.
 */
export function postgresTestDatabaseIds(): PostgresTestDatabaseId[] {
  if (fs.existsSync(path.join(PLATFORM_STATE_DIR, 'postgres.json'))) {
    const pg = readLocalPostgres();
    process.env[connectionStringVariable(pg.version)] ??= pg.connectionString;
  }
  const ids = POSTGRES_MAJORS.filter(
    major => process.env[connectionStringVariable(major)],
  ).map(major => `POSTGRES_${major}` as const);
  if (ids.length === 0 && process.env.CI) {
    throw new Error(
      'The database tests run on PostgreSQL in CI, but none is configured: ' +
        'start it with scripts/platform/postgres.sh start (or up.sh), or set ' +
        `${connectionStringVariable('<major>')}`,
    );
  }
  return ids;
}
