import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  MODEL_DEPLOYMENTS,
  createKubernetesClusters,
  watchedObjectsOf,
} from '@mlplatform/plugin-ml-platform-node';
import { BUILT_IN_TRAFFIC_KINDS } from '../../kinds';
import { createModelDeploymentsService } from './createModelDeploymentsService';
import type { ModelDeploymentsChange } from './types';

/** Stands in for the watches of one cluster: the test sets its objects and fires its changes. */
class FakeWatcher {
  static readonly all: FakeWatcher[] = [];
  generation = 0;
  deployments: V1Deployment[] = [];

  constructor(
    readonly client: { cluster: string },
    _resources: unknown,
    _retry: unknown,
    _logger: unknown,
    private readonly onChange: () => void,
  ) {
    FakeWatcher.all.push(this);
  }

  get name() {
    return this.client.cluster;
  }

  /** What a watch event does: new objects, a new generation, a notification. */
  emit(deployments: V1Deployment[] = this.deployments) {
    this.deployments = deployments;
    this.generation += 1;
    this.onChange();
  }

  objects() {
    return watchedObjectsOf([[MODEL_DEPLOYMENTS, this.deployments]]);
  }
  syncedObjects() {
    return this.objects();
  }
  status() {
    return { name: this.client.cluster, ok: true };
  }
  async start() {}
  async stop() {}
}

jest.mock('./ClusterWatcher', () => ({
  ClusterWatcher: jest.fn(
    (...args: ConstructorParameters<typeof FakeWatcher>) =>
      new FakeWatcher(...args),
  ),
}));

function modelDeployment(version: string, replicas: number): V1Deployment {
  return {
    metadata: {
      name: `scorer-v${version}`,
      namespace: 'ml-prod',
      labels: {
        'app.kubernetes.io/name': 'scorer',
        'ml-platform.io/model': 'scorer',
        'ml-platform.io/model-version': version,
      },
    },
    spec: { replicas, selector: {}, template: {} },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
}

const nextTurn = () => new Promise(resolve => setImmediate(resolve));

function setup() {
  FakeWatcher.all.length = 0;
  const cluster = (name: string) => ({
    name,
    url: `https://${name}.example.com`,
    authProvider: 'serviceAccount',
    serviceAccountToken: 'token',
  });
  const logger = mockServices.logger.mock();
  const service = createModelDeploymentsService({
    clusters: createKubernetesClusters({
      config: new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'config', clusters: [cluster('prod'), cluster('dev')] },
          ],
        },
      }),
      logger,
    }),
    kinds: BUILT_IN_TRAFFIC_KINDS,
    logger,
  });
  const [prod, dev] = FakeWatcher.all;
  return { service, prod, dev };
}

describe('createModelDeploymentsService onChange', () => {
  it('tells listeners once per burst of events, with the cluster and its deployments', async () => {
    const { service, prod } = setup();
    const changes: ModelDeploymentsChange[] = [];
    service.onChange(c => changes.push(c));

    prod.emit([modelDeployment('1', 2)]);
    prod.emit([modelDeployment('1', 2), modelDeployment('2', 1)]);
    expect(changes).toEqual([]);
    await nextTurn();

    expect(changes).toHaveLength(1);
    expect(changes[0].cluster).toBe('prod');
    expect(changes[0].deployments).toEqual(
      service.listDeployments().deployments,
    );
    expect(changes[0].deployments[0]).toMatchObject({
      cluster: 'prod',
      model: 'scorer',
    });
    expect(changes[0].deployments[0].versions.map(v => v.version)).toEqual([
      '1',
      '2',
    ]);
  });

  it('stays silent when an event leaves the computed deployments as they were', async () => {
    const { service, prod, dev } = setup();
    const listener = jest.fn();
    service.onChange(listener);

    prod.emit([modelDeployment('1', 2)]);
    await nextTurn();
    expect(listener).toHaveBeenCalledTimes(1);

    // e.g. a resync, or a change to an object no deployment is computed from
    prod.emit();
    await nextTurn();
    expect(listener).toHaveBeenCalledTimes(1);

    prod.emit([modelDeployment('1', 3)]);
    dev.emit([modelDeployment('7', 1)]);
    await nextTurn();
    expect(listener.mock.calls.map(([c]) => c.cluster)).toEqual([
      'prod',
      'prod',
      'dev',
    ]);
  });

  it('stops calling a listener after it unsubscribed, and survives one that throws', async () => {
    const { service, prod } = setup();
    const throwing = jest.fn(() => {
      throw new Error('boom');
    });
    const kept = jest.fn();
    const unsubscribe = service.onChange(throwing);
    service.onChange(kept);

    prod.emit([modelDeployment('1', 2)]);
    await nextTurn();
    expect(throwing).toHaveBeenCalledTimes(1);
    expect(kept).toHaveBeenCalledTimes(1);

    unsubscribe();
    prod.emit([modelDeployment('1', 4)]);
    await nextTurn();
    expect(throwing).toHaveBeenCalledTimes(1);
    expect(kept).toHaveBeenCalledTimes(2);
  });

  it('drops pending notifications on stop()', async () => {
    const { service, prod } = setup();
    const listener = jest.fn();
    service.onChange(listener);
    prod.emit([modelDeployment('1', 2)]);
    await service.stop();
    await nextTurn();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('createModelDeploymentsService syncedObjects', () => {
  it('gives the routers the cache of the cluster asked for, and names a cluster it does not watch', () => {
    const { service, dev } = setup();
    dev.emit([modelDeployment('7', 1)]);
    expect(
      service
        .syncedObjects('dev')
        .list<V1Deployment>(MODEL_DEPLOYMENTS)
        .map(d => d.metadata?.name),
    ).toEqual(['scorer-v7']);
    expect(() => service.syncedObjects('staging')).toThrow(
      new NotFoundError("Cluster 'staging' is not watched"),
    );
  });
});
