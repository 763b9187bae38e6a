import type {
  V1Deployment,
  V1ReplicaSet,
  V1Service,
} from '@kubernetes/client-node';
import {
  MODEL_DEPLOYMENTS,
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
  watchedObjectsOf,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { BUILT_IN_TRAFFIC_KINDS } from '../../kinds';
import { ROLLOUTS, type Rollout } from '../../kinds/argo-rollout';
import { HTTP_ROUTES } from '../../kinds/httproute';
import type { HttpRoute } from '../../kinds/httproute/types';
import {
  INFERENCE_SERVICES,
  KNATIVE_REVISION,
} from '../../kinds/inferenceservice';
import type { InferenceService } from '../../kinds/inferenceservice/types';
import { computeDeployments } from './computeDeployments';

/** The objects of one cluster, by what the built-in kinds watch. */
interface ClusterObjects {
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  services: V1Service[];
  httpRoutes: HttpRoute[];
  rollouts: Rollout[];
  inferenceServices: InferenceService[];
}

// Objects shaped like the ones the seed makes (scripts/platform/kube/demoObjects.mjs).

function versionLabels(service: string, model: string, version?: string) {
  return {
    'app.kubernetes.io/name': service,
    'ml-platform.io/model': model,
    ...(version && { 'ml-platform.io/model-version': version }),
  };
}

function deployment(
  namespace: string,
  service: string,
  model: string,
  version: string,
  replicas = 2,
  ready = replicas,
): V1Deployment {
  return {
    metadata: {
      name: `${service}-v${version}`,
      namespace,
      labels: versionLabels(service, model, version),
    },
    spec: {
      replicas,
      selector: {},
      template: {},
    },
    status: { replicas, readyReplicas: ready, availableReplicas: ready },
  };
}

function versionService(
  namespace: string,
  service: string,
  model: string,
  version: string,
): V1Service {
  return {
    metadata: {
      name: `${service}-v${version}`,
      namespace,
      labels: versionLabels(service, model, version),
    },
    spec: {
      selector: {
        'app.kubernetes.io/name': service,
        'ml-platform.io/model-version': version,
      },
    },
  };
}

function route(
  namespace: string,
  name: string,
  backends: Array<[string, number | undefined]>,
  metadata: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } = {},
): HttpRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, resourceVersion: '101', ...metadata },
    spec: {
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: backends.map(([svc, weight]) => ({
            group: '',
            kind: 'Service',
            name: svc,
            port: 8080,
            ...(weight !== undefined && { weight }),
          })),
        },
      ],
    },
  };
}

function objects(partial: Partial<ClusterObjects>): ClusterObjects {
  return {
    deployments: [],
    replicaSets: [],
    services: [],
    httpRoutes: [],
    rollouts: [],
    inferenceServices: [],
    ...partial,
  };
}

function watched(objs: ClusterObjects): WatchedObjects {
  return watchedObjectsOf([
    [MODEL_DEPLOYMENTS, objs.deployments],
    [MODEL_REPLICA_SETS, objs.replicaSets],
    [MODEL_SERVICES, objs.services],
    [HTTP_ROUTES, objs.httpRoutes],
    [ROLLOUTS, objs.rollouts],
    [INFERENCE_SERVICES, objs.inferenceServices],
  ]);
}

/** What the catalog computes from the objects with the built-in kinds. */
function deploymentsOf(cluster: string, objs: ClusterObjects) {
  return computeDeployments(cluster, watched(objs), BUILT_IN_TRAFFIC_KINDS);
}

function fraudScorer(
  backends: Array<[string, number | undefined]>,
  metadata?: Parameters<typeof route>[3],
  extraServices: V1Service[] = [],
) {
  return objects({
    deployments: [
      deployment('ml-prod', 'fraud-scorer', 'fraud-detector', '5'),
      deployment('ml-prod', 'fraud-scorer', 'fraud-detector', '6', 2, 1),
    ],
    services: [
      versionService('ml-prod', 'fraud-scorer', 'fraud-detector', '5'),
      versionService('ml-prod', 'fraud-scorer', 'fraud-detector', '6'),
      ...extraServices,
    ],
    httpRoutes: [route('ml-prod', 'fraud-scorer', backends, metadata)],
  });
}

function split(objs: ClusterObjects) {
  const [d] = deploymentsOf('local', objs);
  return d.versions.map(v => [v.version, v.weight, v.percent]);
}

describe('computeDeployments with the built-in traffic kinds', () => {
  describe('HTTPRoute', () => {
    it('maps backendRefs to versions through their Services, with replicas from status', () => {
      const result = deploymentsOf(
        'local',
        fraudScorer([
          ['fraud-scorer-v5', 90],
          ['fraud-scorer-v6', 10],
        ]),
      );
      expect(result).toEqual([
        {
          cluster: 'local',
          namespace: 'ml-prod',
          model: 'fraud-detector',
          router: {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'HTTPRoute',
            name: 'fraud-scorer',
            resourceVersion: '101',
          },
          versions: [
            {
              version: '5',
              weight: 90,
              percent: 90,
              workload: {
                kind: 'Deployment',
                name: 'fraud-scorer-v5',
                replicas: 2,
                readyReplicas: 2,
                availableReplicas: 2,
              },
            },
            {
              version: '6',
              weight: 10,
              percent: 10,
              workload: {
                kind: 'Deployment',
                name: 'fraud-scorer-v6',
                replicas: 2,
                readyReplicas: 1,
                availableReplicas: 1,
              },
            },
          ],
        },
      ]);
    });

    it('treats weights as proportional: 3:1 is 75/25', () => {
      expect(
        split(
          fraudScorer([
            ['fraud-scorer-v5', 3],
            ['fraud-scorer-v6', 1],
          ]),
        ),
      ).toEqual([
        ['5', 3, 75],
        ['6', 1, 25],
      ]);
    });

    it('defaults a missing weight to 1', () => {
      expect(
        split(
          fraudScorer([
            ['fraud-scorer-v5', undefined],
            ['fraud-scorer-v6', 3],
          ]),
        ),
      ).toEqual([
        ['5', 1, 25],
        ['6', 3, 75],
      ]);
    });

    it('gives a weight of 0 no traffic, and all 0 when every weight is 0', () => {
      expect(
        split(
          fraudScorer([
            ['fraud-scorer-v5', 0],
            ['fraud-scorer-v6', 7],
          ]),
        ),
      ).toEqual([
        ['5', 0, 0],
        ['6', 7, 100],
      ]);
      expect(
        split(
          fraudScorer([
            ['fraud-scorer-v5', 0],
            ['fraud-scorer-v6', 0],
          ]),
        ),
      ).toEqual([
        ['5', 0, 0],
        ['6', 0, 0],
      ]);
    });

    it('rounds to one decimal and still adds up to 100', () => {
      const objs = fraudScorer([
        ['fraud-scorer-v5', 1],
        ['fraud-scorer-v6', 1],
        ['fraud-scorer-v7', 1],
      ]);
      objs.services.push(
        versionService('ml-prod', 'fraud-scorer', 'fraud-detector', '7'),
      );
      const percents = split(objs).map(([, , percent]) => percent as number);
      expect(percents).toEqual([33.4, 33.3, 33.3]);
      expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 10);
    });

    it('leaves a backend whose Service is unknown out of the split', () => {
      expect(
        split(
          fraudScorer([
            ['fraud-scorer-v5', 90],
            ['legacy-scorer', 10],
          ]),
        ),
      ).toEqual([
        ['5', 90, 100],
        // v6 has a workload but the route sends it nothing.
        ['6', undefined, 0],
      ]);
    });

    it('ignores a route none of whose backends is a model Service', () => {
      const objs = objects({
        httpRoutes: [route('ml-prod', 'web', [['frontend', 1]])],
      });
      expect(deploymentsOf('local', objs)).toEqual([]);
    });

    it('names the GitOps tool that owns the route', () => {
      const backends: Array<[string, number]> = [
        ['fraud-scorer-v5', 90],
        ['fraud-scorer-v6', 10],
      ];
      const managedBy = (metadata: Parameters<typeof route>[3]) =>
        deploymentsOf('local', fraudScorer(backends, metadata))[0].router
          ?.managedBy;
      expect(
        managedBy({
          annotations: {
            'argocd.argoproj.io/tracking-id':
              'fraud-prod:gateway.networking.k8s.io/HTTPRoute:ml-prod/fraud-scorer',
          },
        }),
      ).toBe('argocd:fraud-prod');
      expect(
        managedBy({ labels: { 'app.kubernetes.io/instance': 'fraud-prod' } }),
      ).toBe('argocd:fraud-prod');
      expect(
        managedBy({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }),
      ).toBe('flux:Kustomization/apps');
      expect(
        managedBy({ labels: { 'helm.toolkit.fluxcd.io/name': 'scorer' } }),
      ).toBe('flux:HelmRelease/scorer');
      expect(managedBy({})).toBeUndefined();
    });

    it('keeps namespaces apart', () => {
      const objs = fraudScorer([
        ['fraud-scorer-v5', 90],
        ['fraud-scorer-v6', 10],
      ]);
      objs.deployments.push(
        deployment('ml-staging', 'fraud-scorer', 'fraud-detector', '6', 1),
      );
      objs.services.push(
        versionService('ml-staging', 'fraud-scorer', 'fraud-detector', '6'),
      );
      objs.httpRoutes.push(
        route('ml-staging', 'fraud-scorer', [['fraud-scorer-v6', 100]]),
      );
      const result = deploymentsOf('local', objs);
      expect(
        result.map(d => [
          d.namespace,
          d.versions.map(v => `${v.version}:${v.percent}`),
        ]),
      ).toEqual([
        ['ml-prod', ['5:90', '6:10']],
        ['ml-staging', ['6:100']],
      ]);
    });
  });

  describe('Argo Rollout', () => {
    const STABLE = 'b4c5d6';
    const CANARY = 'f7g8h9';

    function replicaSet(
      version: string,
      hash: string,
      count: number,
    ): V1ReplicaSet {
      return {
        metadata: {
          name: `product-ranker-${hash}`,
          namespace: 'ml-prod',
          labels: {
            ...versionLabels('product-ranker', 'product-ranker', version),
            'rollouts-pod-template-hash': hash,
          },
          ownerReferences: [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Rollout',
              name: 'product-ranker',
              uid: 'u',
            },
          ],
        },
        spec: { replicas: count, selector: {} },
        status: {
          replicas: count,
          readyReplicas: count,
          availableReplicas: count,
        },
      };
    }

    function rollout(status: Rollout['status']): Rollout {
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: {
          name: 'product-ranker',
          namespace: 'ml-prod',
          resourceVersion: '7',
          labels: versionLabels('product-ranker', 'product-ranker'),
        },
        spec: {
          strategy: {
            canary: {
              stableService: 'product-ranker-stable',
              canaryService: 'product-ranker-canary',
              trafficRouting: {
                plugins: {
                  'argoproj-labs/gatewayAPI': {
                    httpRoute: 'product-ranker',
                    namespace: 'ml-prod',
                  },
                },
              },
              steps: [
                { setWeight: 20 },
                { pause: {} },
                { setWeight: 50 },
                { pause: { duration: '10m' } },
                { setWeight: 100 },
              ],
            },
          },
        },
        status,
      };
    }

    function rolloutObjects(status: Rollout['status']) {
      const stableService: V1Service = {
        metadata: {
          name: 'product-ranker-stable',
          namespace: 'ml-prod',
          labels: versionLabels('product-ranker', 'product-ranker'),
        },
        spec: {
          selector: {
            'app.kubernetes.io/name': 'product-ranker',
            'rollouts-pod-template-hash': STABLE,
          },
        },
      };
      const canaryService: V1Service = {
        ...stableService,
        metadata: { ...stableService.metadata, name: 'product-ranker-canary' },
        spec: {
          selector: {
            'app.kubernetes.io/name': 'product-ranker',
            'rollouts-pod-template-hash': CANARY,
          },
        },
      };
      return objects({
        deployments: [
          deployment('ml-prod', 'product-ranker', 'product-ranker', '3'),
          deployment('ml-prod', 'product-ranker', 'product-ranker', '4'),
        ],
        replicaSets: [replicaSet('3', STABLE, 2), replicaSet('4', CANARY, 1)],
        services: [stableService, canaryService],
        rollouts: [rollout(status)],
        httpRoutes: [
          route('ml-prod', 'product-ranker', [
            ['product-ranker-stable', 80],
            ['product-ranker-canary', 20],
          ]),
        ],
      });
    }

    const paused = {
      phase: 'Paused',
      message: 'CanaryPauseStep',
      currentStepIndex: 1,
      stableRS: STABLE,
      currentPodHash: CANARY,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
    };

    it('splits between the stable and canary ReplicaSets by the status weights, and folds in its route', () => {
      const result = deploymentsOf(
        'local',
        rolloutObjects({
          ...paused,
          canary: {
            weights: {
              canary: { weight: 20, podTemplateHash: CANARY },
              stable: { weight: 80, podTemplateHash: STABLE },
            },
          },
        }),
      );
      expect(result).toHaveLength(1);
      expect(result[0]).toEqual({
        cluster: 'local',
        namespace: 'ml-prod',
        model: 'product-ranker',
        router: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'product-ranker',
          resourceVersion: '7',
        },
        versions: [
          {
            version: '3',
            weight: 80,
            percent: 80,
            workload: {
              kind: 'ReplicaSet',
              name: `product-ranker-${STABLE}`,
              replicas: 2,
              readyReplicas: 2,
              availableReplicas: 2,
            },
          },
          {
            version: '4',
            weight: 20,
            percent: 20,
            workload: {
              kind: 'ReplicaSet',
              name: `product-ranker-${CANARY}`,
              replicas: 1,
              readyReplicas: 1,
              availableReplicas: 1,
            },
          },
        ],
        progress: {
          phase: 'Paused',
          message: 'CanaryPauseStep',
          currentStepIndex: 1,
          totalSteps: 5,
          paused: true,
        },
      });
    });

    it("takes the current step's setWeight when the status has no weights", () => {
      const objs = rolloutObjects({
        ...paused,
        phase: 'Progressing',
        currentStepIndex: 3,
        controllerPause: false,
        pauseConditions: null,
      });
      expect(split(objs)).toEqual([
        ['3', 50, 50],
        ['4', 50, 50],
      ]);
      expect(deploymentsOf('local', objs)[0].progress).toMatchObject({
        phase: 'Progressing',
        currentStepIndex: 3,
        paused: false,
      });
    });

    it('gives the stable version everything once the canary is promoted', () => {
      const objs = rolloutObjects({
        phase: 'Healthy',
        currentStepIndex: 5,
        stableRS: CANARY,
        currentPodHash: CANARY,
      });
      expect(split(objs)).toEqual([
        ['3', undefined, 0],
        ['4', 100, 100],
      ]);
    });

    it('reports its route as managed by the rollout when the rollout has no model labels', () => {
      const objs = rolloutObjects(paused);
      objs.rollouts[0].metadata!.labels = {};
      const [d] = deploymentsOf('local', objs);
      expect(d.router).toEqual({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        name: 'product-ranker',
        resourceVersion: '101',
        managedBy: 'rollout:product-ranker',
      });
      expect(split(objs)).toEqual([
        ['3', 80, 80],
        ['4', 20, 20],
      ]);
    });
  });

  describe('KServe InferenceService', () => {
    function isvc(status: InferenceService['status']): InferenceService {
      return {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: {
          name: 'churn-predictor',
          namespace: 'ml-staging',
          resourceVersion: '55',
          labels: versionLabels('churn-predictor', 'churn-predictor', '3'),
        },
        spec: {
          predictor: {
            canaryTrafficPercent: 30,
            model: { storageUri: 'mlflow://churn-predictor/3' },
          },
        },
        status,
      };
    }

    /** The version Deployment Knative runs for `revision`. */
    function revisionDeployment(version: string, revision?: string) {
      const d = deployment(
        'ml-staging',
        'churn-predictor',
        'churn-predictor',
        version,
        1,
      );
      if (revision) d.metadata!.labels![KNATIVE_REVISION] = revision;
      return d;
    }

    // Version 2 is the highest below the latest, but the previous revision
    // runs version 1: only the revision's own Deployment can tell.
    function kserveObjects(status: InferenceService['status']) {
      return objects({
        deployments: [
          revisionDeployment('1', 'churn-predictor-predictor-00001'),
          revisionDeployment('2'),
          revisionDeployment('3', 'churn-predictor-predictor-00002'),
        ],
        inferenceServices: [isvc(status)],
      });
    }

    const canary = {
      conditions: [{ type: 'Ready', status: 'True' }],
      components: {
        predictor: {
          latestCreatedRevision: 'churn-predictor-predictor-00002',
          previousRolledoutRevision: 'churn-predictor-predictor-00001',
          traffic: [
            {
              revisionName: 'churn-predictor-predictor-00002',
              percent: 30,
              latestRevision: true,
              tag: 'latest',
            },
            {
              revisionName: 'churn-predictor-predictor-00001',
              percent: 70,
              latestRevision: false,
              tag: 'prev',
            },
          ],
        },
      },
    };

    it("maps the latest revision to its declared version and the other to its own Deployment's version", () => {
      const [d] = deploymentsOf('local', kserveObjects(canary));
      expect(d.router).toEqual({
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        name: 'churn-predictor',
        resourceVersion: '55',
      });
      expect(d.versions.map(v => [v.version, v.percent])).toEqual([
        ['1', 70],
        ['2', 0],
        ['3', 30],
      ]);
      expect(d.progress).toEqual({ phase: 'Canary' });
    });

    it('shows a revision no Deployment names under its own name rather than guess a version', () => {
      const [d] = deploymentsOf(
        'local',
        objects({
          deployments: [revisionDeployment('2'), revisionDeployment('3')],
          inferenceServices: [isvc(canary)],
        }),
      );
      expect(d.versions.map(v => [v.version, v.percent])).toEqual(
        expect.arrayContaining([
          ['churn-predictor-predictor-00001', 70],
          ['2', 0],
          ['3', 30],
        ]),
      );
    });

    it('keeps the previously rolled-out version at 0 % once promoted, for the next canary share', () => {
      const [d] = deploymentsOf(
        'local',
        kserveObjects({
          components: {
            predictor: {
              previousRolledoutRevision: 'churn-predictor-predictor-00001',
              traffic: [
                {
                  revisionName: 'churn-predictor-predictor-00002',
                  percent: 100,
                  latestRevision: true,
                },
              ],
            },
          },
        }),
      );
      expect(d.versions.map(v => [v.version, v.weight])).toEqual([
        ['1', 0],
        ['2', undefined],
        ['3', 100],
      ]);
      expect(d.progress).toEqual({ phase: 'Promoted' });
    });

    it('falls back to the spec before KServe reported traffic, and says why it is not Ready', () => {
      const [d] = deploymentsOf(
        'local',
        kserveObjects({
          conditions: [
            { type: 'Ready', status: 'False', message: 'Revision failed' },
          ],
          components: {
            predictor: {
              previousRolledoutRevision: 'churn-predictor-predictor-00001',
            },
          },
        }),
      );
      expect(d.versions.map(v => [v.version, v.percent])).toEqual([
        ['1', 70],
        ['2', 0],
        ['3', 30],
      ]);
      expect(d.progress).toEqual({
        phase: 'Canary',
        message: 'Revision failed',
      });
    });
  });

  it('lists workloads without a router with no traffic', () => {
    const [d] = deploymentsOf(
      'local',
      objects({
        deployments: [
          deployment('ml-dev', 'ticket-router', 'ticket-router', '1', 1),
        ],
      }),
    );
    expect(d.router).toBeUndefined();
    expect(d.versions).toEqual([
      expect.objectContaining({ version: '1', percent: 0 }),
    ]);
  });
});
