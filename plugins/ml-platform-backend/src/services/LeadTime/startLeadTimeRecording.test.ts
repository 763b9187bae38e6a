import {
  TestDatabases,
  mockServices,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { postgresTestDatabaseIds } from 'platform-tests';
import type { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';
import type { ModelDeploymentsChange } from '../ModelDeployments';
import { createLeadTimeStore, firstServingKey } from './createLeadTimeStore';
import { startLeadTimeRecording } from './startLeadTimeRecording';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

const T0 = new Date('2026-11-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** The parts of the deployments service the recorder uses, driven by the test. */
function fakeDeployments(initial: ModelDeployment[]) {
  let current = initial;
  const listeners = new Set<(change: ModelDeploymentsChange) => void>();
  return {
    listDeployments: () => ({ deployments: current, clusters: [] }),
    onChange(listener: (change: ModelDeploymentsChange) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** A cluster's deployments changed, as the watches would report it. */
    change(deployments: ModelDeployment[]) {
      current = deployments;
      listeners.forEach(l => l({ cluster: 'prod', deployments }));
    },
    listeners,
  };
}

function scorer(
  split: Record<string, number>,
  where: Partial<ModelDeployment> = {},
): ModelDeployment {
  return {
    cluster: 'prod',
    namespace: 'ml-prod',
    model: 'fraud-scorer',
    registryId: 'mlflow',
    versions: Object.entries(split).map(([version, percent]) => ({
      version,
      percent,
    })),
    ...where,
  };
}

const key = (version: string) =>
  firstServingKey({ registryId: 'mlflow', model: 'fraud-scorer', version });

async function setup(databaseId: TestDatabaseId, initial: ModelDeployment[]) {
  const knex = await databases.init(databaseId);
  const database = mockServices.database({ knex });
  const deployments = fakeDeployments(initial);
  let clock = minutes(0);
  const logger = mockServices.logger.mock();
  const recording = await startLeadTimeRecording({
    database,
    deployments,
    logger,
    now: () => clock,
  });
  return {
    knex,
    database,
    deployments,
    logger,
    recording,
    setClock: (at: Date) => {
      clock = at;
    },
  };
}

describe('startLeadTimeRecording', () => {
  it.each(databases.eachSupportedId())(
    'records at start what already serves, and not what gets no traffic, on %p',
    async databaseId => {
      const { recording } = await setup(databaseId, [
        scorer({ '5': 100, '6': 0 }),
        scorer({ '1': 100 }, { model: 'churn', registryId: undefined }),
      ]);
      const first = await recording.firstServing();
      expect([...first.keys()].sort()).toEqual(
        [key('5'), firstServingKey({ model: 'churn', version: '1' })].sort(),
      );
      expect(first.get(key('5'))).toEqual({
        registryId: 'mlflow',
        model: 'fraud-scorer',
        version: '5',
        at: minutes(0),
        cluster: 'prod',
        namespace: 'ml-prod',
      });
      await recording.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'records a version when a change first gives it traffic, and keeps that moment, on %p',
    async databaseId => {
      const { recording, deployments, setClock } = await setup(databaseId, [
        scorer({ '5': 100, '6': 0 }),
      ]);

      setClock(minutes(30));
      deployments.change([scorer({ '5': 90, '6': 10 })]);
      setClock(minutes(45));
      deployments.change([scorer({ '5': 0, '6': 100 })]);
      // canary rolled back and promoted again later: still the first moment
      setClock(minutes(90));
      deployments.change([scorer({ '5': 100, '6': 0 })]);
      deployments.change([scorer({ '5': 0, '6': 100 })]);
      await recording.stop();

      const first = await recording.firstServing();
      expect(first.get(key('5'))?.at).toEqual(minutes(0));
      expect(first.get(key('6'))?.at).toEqual(minutes(30));
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps the earlier moment another replica or an earlier run recorded, on %p',
    async databaseId => {
      const { recording, database, deployments, setClock } = await setup(
        databaseId,
        [],
      );
      const other = await createLeadTimeStore({ database });
      await other.recordServing([
        {
          registryId: 'mlflow',
          model: 'fraud-scorer',
          version: '6',
          cluster: 'dev',
          namespace: 'ml-dev',
          at: minutes(-60),
        },
      ]);

      setClock(minutes(10));
      deployments.change([scorer({ '6': 100 })]);
      await recording.stop();

      expect((await recording.firstServing()).get(key('6'))).toMatchObject({
        at: minutes(-60),
        cluster: 'dev',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'stops listening on stop(), and logs a failed write instead of throwing, on %p',
    async databaseId => {
      const { recording, deployments, knex, logger } = await setup(
        databaseId,
        [],
      );
      await knex.schema.dropTable('ml_platform_first_serving');
      deployments.change([scorer({ '7': 100 })]);
      await recording.stop();
      expect(logger.warn).toHaveBeenCalledWith(
        'Lead time: could not record 1 first serving time(s)',
        // The driver's error comes from another realm, so not `any(Error)`.
        expect.objectContaining({
          message: expect.stringContaining('ml_platform_first_serving'),
        }),
      );
      expect(deployments.listeners.size).toBe(0);
    },
  );
});
