import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';

export type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const migrationsDir = resolvePackagePath(
  '@mlplatform/plugin-ml-platform-backend',
  'migrations',
);

/**
 * The plugin's database client, with the plugin's migrations applied unless
 * the app runs them itself (`database.migrations.skip`).
 */
export async function migratedDatabaseClient(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}
