import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';

export type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const migrationsDir = resolvePackagePath(
  '@mlplatform/plugin-ml-platform-backend',
  'migrations',
);

/** One migration per database service, however many stores share it. */
const migrated = new WeakMap<DatabaseService, Promise<Knex>>();

async function migrate(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}

/**
 * The plugin's database client, with the plugin's migrations applied unless
 * the app runs them itself (`database.migrations.skip`). Every store of the
 * plugin asks for it: the migrations run once, for the first, and the others
 * wait for that run. A failed run is not kept, so the next caller tries again.
 */
export function migratedDatabaseClient(
  database: DatabaseService,
): Promise<Knex> {
  let client = migrated.get(database);
  if (!client) {
    client = migrate(database);
    migrated.set(database, client);
    client.catch(() => migrated.delete(database));
  }
  return client;
}
