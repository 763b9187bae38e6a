import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readLocalPostgres } from './localPostgres';

/**
 * How database tests find the PostgreSQL of scripts/platform/postgres.sh:
 * through postgres.json when jest runs by hand, through the variable
 * scripts/test.sh exports in CI, and never silently without it in CI.
 */

const VARIABLE = /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/;

/** Runs fn on a fresh copy of the module, under the given environment. */
function withEnv<T>(
  env: Record<string, string | undefined>,
  fn: (helper: typeof import('./localPostgres')) => T,
): T {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (VARIABLE.test(name)) delete process.env[name];
  }
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
  }
  try {
    let result!: T;
    jest.isolateModules(() => {
      result = fn(require('./localPostgres'));
    });
    return result;
  } finally {
    process.env = saved;
  }
}

describe('postgresTestDatabaseIds', () => {
  it('names the running local PostgreSQL to TestDatabases, through postgres.json', async () => {
    const pg = readLocalPostgres();
    expect(pg.host).toBe('127.0.0.1');
    const variable = `BACKSTAGE_TEST_DATABASE_POSTGRES${pg.version}_CONNECTION_STRING`;

    const { ids, connectionString } = withEnv({}, helper => ({
      ids: helper.postgresTestDatabaseIds(),
      connectionString: process.env[variable],
    }));
    expect(ids).toEqual([`POSTGRES_${pg.version}`]);
    expect(connectionString).toBe(pg.connectionString);
    expect(new URL(connectionString!)).toMatchObject({
      hostname: '127.0.0.1',
      port: String(pg.port),
      username: pg.user,
    });

    // what postgres.json names really listens there
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(pg.port, pg.host, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
  });

  it('keeps a connection string that is set already, as scripts/test.sh sets it', () => {
    const pg = readLocalPostgres();
    const variable = `BACKSTAGE_TEST_DATABASE_POSTGRES${pg.version}_CONNECTION_STRING`;
    const elsewhere = 'postgresql://someone:secret@127.0.0.1:1/postgres';
    const seen = withEnv({ [variable]: elsewhere }, helper => {
      helper.postgresTestDatabaseIds();
      return process.env[variable];
    });
    expect(seen).toBe(elsewhere);
  });

  describe('without the local PostgreSQL', () => {
    let emptyState: string;
    beforeAll(() => {
      emptyState = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-platform-state-'));
    });
    afterAll(() => fs.rmSync(emptyState, { recursive: true, force: true }));

    it('leaves a developer on SQLite alone', () => {
      expect(
        withEnv({ ML_PLATFORM_STATE: emptyState, CI: undefined }, helper =>
          helper.postgresTestDatabaseIds(),
        ),
      ).toEqual([]);
    });

    it('fails in CI, naming the command that starts PostgreSQL', () => {
      expect(() =>
        withEnv({ ML_PLATFORM_STATE: emptyState, CI: 'true' }, helper =>
          helper.postgresTestDatabaseIds(),
        ),
      ).toThrow('scripts/platform/postgres.sh start');
    });

    it('uses any PostgreSQL a connection string names', () => {
      expect(
        withEnv(
          {
            ML_PLATFORM_STATE: emptyState,
            CI: 'true',
            BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING:
              'postgresql://u:p@127.0.0.1:1/postgres',
          },
          helper => helper.postgresTestDatabaseIds(),
        ),
      ).toEqual(['POSTGRES_17']);
    });
  });
});
