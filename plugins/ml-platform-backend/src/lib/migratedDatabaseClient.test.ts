import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import { createRolloutAuditStore } from '../services/Audit';
import { createLeadTimeStore } from '../services/LeadTime/createLeadTimeStore';
import { createRegistrySnapshotStore } from '../services/RegistrySnapshots';
import { createSafetyVerdictStore } from '../services/SerializationSafety';
import { migratedDatabaseClient } from './migratedDatabaseClient';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** The database service of a fresh SQLite database, counting who asks for its client. */
async function countedDatabase() {
  const knex = await databases.init('SQLITE_3');
  const database = mockServices.database({ knex });
  const getClient = jest.fn(() => database.getClient());
  return {
    knex,
    getClient,
    database: { ...database, getClient } as DatabaseService,
  };
}

describe('migratedDatabaseClient', () => {
  it("runs the plugin's migrations once for all of its stores", async () => {
    const { database, getClient, knex } = await countedDatabase();
    await Promise.all([
      createRolloutAuditStore({ database }),
      createLeadTimeStore({ database }),
      createRegistrySnapshotStore({ database }),
      createSafetyVerdictStore({ database }),
      migratedDatabaseClient(database),
    ]);
    expect(getClient).toHaveBeenCalledTimes(1);
    // ...and they are all applied.
    const [, pending] = await knex.migrate.list({
      directory: `${__dirname}/../../migrations`,
    });
    expect(pending).toEqual([]);
  });

  it('tries again after a failed run', async () => {
    const { database, getClient } = await countedDatabase();
    getClient.mockRejectedValueOnce(new Error('database is starting'));
    await expect(migratedDatabaseClient(database)).rejects.toThrow(
      'database is starting',
    );
    await expect(migratedDatabaseClient(database)).resolves.toBeDefined();
    expect(getClient).toHaveBeenCalledTimes(2);
  });
});
