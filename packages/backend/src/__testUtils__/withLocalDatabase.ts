import { readLocalPostgres } from 'platform-tests';

/** The part of node-postgres the tests use (the package ships no types). */
export interface PgClient {
  query<T>(sql: string, values?: unknown[]): Promise<{ rows: T[] }>;
}

interface ConnectablePgClient extends PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
}

const { Client } = require('pg') as {
  Client: new (config: object) => ConnectablePgClient;
};

/**
 * Runs fn with a connection to one database of the local PostgreSQL
 * (scripts/platform/postgres.sh), as the role the portal gets in production.
 */
export async function withLocalDatabase<T>(
  database: string,
  fn: (client: PgClient) => Promise<T>,
): Promise<T> {
  const pg = readLocalPostgres();
  const client = new Client({
    host: pg.host,
    port: pg.port,
    user: pg.user,
    password: pg.password,
    database,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * `backend.database` for the portal on the local PostgreSQL, as the role the
 * portal gets in production, its databases named with `prefix`.
 */
export function localDatabaseConfig(prefix: string) {
  const pg = readLocalPostgres();
  return {
    client: 'pg',
    connection: {
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
    },
    prefix,
  };
}
