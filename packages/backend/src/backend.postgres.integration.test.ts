import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from './testing/startBackendProcess';
import {
  localDatabaseConfig,
  withLocalDatabase,
} from './__testUtils__/withLocalDatabase';

// The portal's real backend on PostgreSQL, production's database (the local
// one of scripts/platform/postgres.sh), as the role production gives it: one
// that may create databases and is no superuser. Backstage makes a database
// per plugin; a prefix of this run's own keeps them apart from other runs and
// lets the test drop them afterwards.

jest.setTimeout(240_000);

const prefix = `ml_pg_test_${process.pid}_`;

const databasesOfThisRun = () =>
  withLocalDatabase('postgres', async client =>
    (
      await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
        [prefix],
      )
    ).rows.map(r => r.datname),
  );

describe('the portal backend on PostgreSQL', () => {
  let backend: BackendProcess | undefined;
  let token: string;

  beforeAll(async () => {
    backend = await startBackendProcess({
      env: {
        APP_CONFIG_backend_database: JSON.stringify(
          localDatabaseConfig(prefix),
        ),
      },
    });
    token = await backend.signInAsGuest();
  });

  afterAll(async () => {
    await backend?.stop();
    for (const name of await databasesOfThisRun()) {
      await withLocalDatabase('postgres', client =>
        client.query(`DROP DATABASE "${name}" WITH (FORCE)`),
      );
    }
  });

  it('runs as a role that is no superuser', async () => {
    const [role] = await withLocalDatabase(
      'postgres',
      async client =>
        (
          await client.query<{ rolsuper: boolean; rolcreatedb: boolean }>(
            'SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user',
          )
        ).rows,
    );
    expect(role).toEqual({ rolsuper: false, rolcreatedb: true });
  });

  it('answers the ML Platform health check', async () => {
    const res = await fetch(`${backend!.baseUrl}/api/ml-platform/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it("creates the plugin's own database and migrates it", async () => {
    const databases = await databasesOfThisRun();
    expect(databases).toEqual(
      expect.arrayContaining([`${prefix}ml-platform`, `${prefix}catalog`]),
    );

    const columns = await withLocalDatabase(
      `${prefix}ml-platform`,
      async client =>
        (
          await client.query<{ column_name: string; data_type: string }>(
            `SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = 'ml_platform_first_serving'`,
          )
        ).rows,
    );
    expect(
      Object.fromEntries(columns.map(c => [c.column_name, c.data_type])),
    ).toEqual({
      registry_id: 'character varying',
      model: 'character varying',
      version: 'character varying',
      first_serving_at: 'timestamp with time zone',
      cluster: 'character varying',
      namespace: 'character varying',
    });
  });

  it('serves the catalog from PostgreSQL', async () => {
    const scorer = await eventually(async () => {
      const res = await fetch(
        `${
          backend!.baseUrl
        }/api/catalog/entities?filter=kind=component,metadata.name=fraud-scorer`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const items = res.ok ? await res.json() : [];
      return items.length > 0 ? items : undefined;
    }, 'component:default/fraud-scorer in the catalog');
    expect(scorer).toEqual([
      expect.objectContaining({
        kind: 'Component',
        metadata: expect.objectContaining({ name: 'fraud-scorer' }),
      }),
    ]);

    // and the catalog's rows are really in its PostgreSQL database
    const [{ n }] = await withLocalDatabase(
      `${prefix}catalog`,
      async client =>
        (
          await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM final_entities WHERE final_entity IS NOT NULL`,
          )
        ).rows,
    );
    expect(Number(n)).toBeGreaterThan(0);
  });

  it("keeps the portal's search index in PostgreSQL, where every replica reads it", async () => {
    const titles = await eventually(
      async () => {
        const res = await fetch(
          `${backend!.baseUrl}/api/search/query?term=fraud`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const { results } = res.ok ? await res.json() : { results: [] };
        return results.length > 0
          ? results.map((r: any) => r.document.title)
          : undefined;
      },
      'the search index of the catalog',
      150_000,
    );
    expect(titles).toContain('Fraud scorer');

    const [{ n }] = await withLocalDatabase(
      `${prefix}search`,
      async client =>
        (
          await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM documents WHERE type = 'software-catalog'`,
          )
        ).rows,
    );
    expect(Number(n)).toBeGreaterThan(0);
  });
});
