import { ConfigReader } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { RolloutRequest } from '@mlplatform/plugin-ml-platform-common';
import { podTemplate } from './__testUtils__/fixtures';
import { createArgoRollout } from './__testUtils__/argoFixtures';
import { createInferenceService } from './__testUtils__/kserveFixtures';
import { testModelRegistry } from './__testUtils__/testModelRegistry';
import { useRolloutEngineTestBed } from './__testUtils__/rolloutEngineTestBed';
import {
  changedPaths,
  kubeOk,
  localKubernetesConfig,
  paths,
} from './__testUtils__/localKube';
import { RolloutConflictError } from './RolloutConflictError';
import type { RolloutService } from './types';

jest.setTimeout(120_000);

const REGISTRY = 'test-registry';
const ACTOR = 'user:default/jane';
const MODELS = [
  'svc-canary',
  'svc-same-rv',
  'svc-racing',
  'svc-gitops',
  'svc-unsafe',
  'svc-unknown',
  'svc-unsafe-out',
  'svc-steered',
  'svc-kserve',
  'svc-argo',
  'svc-resolved',
];

const registry = testModelRegistry({
  id: REGISTRY,
  models: MODELS,
  versions: ['2', '3', '5', '6', '7', '8'],
  unsafeVersions: {
    '8': {
      safety: 'unknown',
      reason: 'model.pt is over the inspection budget.',
      flavors: ['pytorch'],
      source: 'bytes',
      files: [],
    },
    '7': {
      safety: 'unsafe',
      reason: 'sklearn model saved with cloudpickle',
      flavors: ['sklearn'],
      source: 'bytes',
      files: [],
    },
  },
});

const bed = useRolloutEngineTestBed({ registry });

async function serviceWith(
  rollouts: object = {},
  safety: object = {},
): Promise<RolloutService> {
  const config = await localKubernetesConfig({
    mlPlatform: { rollouts, safety },
  });
  return bed.rolloutService(new ConfigReader(config.get()));
}

const routePath = (name: string) => `${paths.httpRoutes(bed.ns)}/${name}`;

const request = (
  model: string,
  fields: Partial<RolloutRequest>,
): RolloutRequest => ({
  model,
  cluster: 'local',
  namespace: bed.ns,
  strategy: 'split',
  ...fields,
});

const trail = async (model: string) =>
  (await bed.audit.list({ model, limit: 100 })).items;

describe('createRolloutService on the local apiserver', () => {
  it('runs a canary, records it, and rolls it back to the recorded split', async () => {
    const model = 'svc-canary';
    await bed.routedModel(model, { '5': 90, '6': 10, '7': 0 });
    const service = await serviceWith();
    const before = await kubeOk('GET', routePath(model));

    const result = await service.apply(
      request(model, {
        strategy: 'canary',
        target: { version: '6', percent: 30 },
      }),
      ACTOR,
    );
    expect(await bed.routeWeights(model)).toEqual([70, 30, 0]);
    const after = await kubeOk('GET', routePath(model));
    expect(changedPaths(before, after)).toEqual([
      '/spec/rules/1/backendRefs/0/weight',
      '/spec/rules/1/backendRefs/1/weight',
    ]);
    expect(result).toEqual({
      auditId: expect.any(String),
      router: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        name: model,
      },
      before: {
        versions: [
          { version: '5', weight: 90, percent: 90 },
          { version: '6', weight: 10, percent: 10 },
          { version: '7', weight: 0, percent: 0 },
        ],
      },
      after: {
        versions: [
          { version: '5', weight: 70, percent: 70 },
          { version: '6', weight: 30, percent: 30 },
          { version: '7', weight: 0, percent: 0 },
        ],
      },
      resourceVersion: after.metadata.resourceVersion,
    });
    expect(await trail(model)).toEqual([
      expect.objectContaining({
        id: result.auditId,
        actor: ACTOR,
        model,
        registryId: REGISTRY,
        cluster: 'local',
        namespace: bed.ns,
        router: { kind: 'HTTPRoute', name: model },
        strategy: 'canary',
        before: result.before,
        after: result.after,
        result: 'succeeded',
      }),
    ]);

    const rolledBack = await service.apply(
      request(model, { strategy: 'rollback' }),
      'user:default/joe',
    );
    expect(await bed.routeWeights(model)).toEqual([90, 10, 0]);
    expect(rolledBack.after).toEqual(result.before);
    expect(rolledBack.before).toEqual(result.after);
    const [latest] = await trail(model);
    expect(latest).toMatchObject({
      strategy: 'rollback',
      result: 'succeeded',
      actor: 'user:default/joe',
    });
  });

  it('uses the model its caller resolved for the permission check instead of resolving it again', async () => {
    const model = 'svc-resolved';
    await bed.routedModel(model, { '5': 100, '6': 0 });
    const service = await serviceWith();
    const resolved = await bed.catalog.getModel(model, REGISTRY);
    const other = await bed.catalog.getModel('svc-canary', REGISTRY);
    const lookups = jest.spyOn(bed.catalog, 'getModel');
    try {
      const result = await service.apply(
        request(model, {
          strategy: 'canary',
          target: { version: '6', percent: 10 },
        }),
        ACTOR,
        resolved,
      );
      expect(result.after.versions.map(v => v.percent)).toEqual([90, 10]);
      expect(lookups).not.toHaveBeenCalled();

      // Details of another model are not taken for this one.
      await service.apply(
        request(model, { strategy: 'rollback' }),
        ACTOR,
        other,
      );
      expect(lookups).toHaveBeenCalledWith(model, undefined);
      expect(await bed.routeWeights(model)).toEqual([100, 0]);
    } finally {
      lookups.mockRestore();
    }
  });

  it('lets exactly one of 20 requests made on the same resourceVersion through, and records the rest as conflicts', async () => {
    const model = 'svc-same-rv';
    await bed.routedModel(model, { '5': 90, '6': 10, '7': 0 });
    const service = await serviceWith();
    const { resourceVersion } = (await kubeOk('GET', routePath(model)))
      .metadata;

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        service.apply(
          request(model, {
            weights: { '5': 100 - (i + 1), '6': i + 1 },
            expectedResourceVersion: resourceVersion,
          }),
          `user:default/u${i}`,
        ),
      ),
    );

    const won = outcomes.flatMap(o =>
      o.status === 'fulfilled' ? [o.value] : [],
    );
    const lost = outcomes.flatMap(o =>
      o.status === 'rejected' ? [o.reason] : [],
    );
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const error of lost) {
      expect(error).toBeInstanceOf(RolloutConflictError);
      expect(error.message).toMatch(
        /changed since it was read; nothing was applied/,
      );
      // the fresh split comes with the error, to decide again
      expect(
        error.current.versions.map((v: { weight: number }) => v.weight),
      ).toEqual(won[0].after.versions.map(v => v.weight));
    }
    expect(await bed.routeWeights(model)).toEqual(
      won[0].after.versions.map(v => v.weight),
    );
    const records = await trail(model);
    expect(
      records.filter(r => r.result === 'succeeded').map(r => r.id),
    ).toEqual([won[0].auditId]);
    expect(records.filter(r => r.result === 'conflict')).toHaveLength(19);
  });

  it('leaves the route equal to the last successful write when 20 requests race their reads', async () => {
    const model = 'svc-racing';
    await bed.routedModel(model, { '5': 90, '6': 10, '7': 0 });
    const service = await serviceWith();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        service.apply(
          request(model, { weights: { '5': 100 - (i + 1), '6': i + 1 } }),
          ACTOR,
        ),
      ),
    );

    const won = outcomes.flatMap(o =>
      o.status === 'fulfilled' ? [o.value] : [],
    );
    const lost = outcomes.flatMap(o =>
      o.status === 'rejected' ? [o.reason] : [],
    );
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(won.length + lost.length).toBe(20);
    for (const error of lost)
      expect(error).toBeInstanceOf(RolloutConflictError);
    // resourceVersions are opaque, but etcd's revisions grow; the last write has the largest
    const last = [...won]
      .sort((a, b) =>
        Number(BigInt(a.resourceVersion) - BigInt(b.resourceVersion)),
      )
      .pop()!;
    const route = await kubeOk('GET', routePath(model));
    expect(route.metadata.resourceVersion).toBe(last.resourceVersion);
    expect(await bed.routeWeights(model)).toEqual(
      last.after.versions.map(v => v.weight),
    );

    const records = await trail(model);
    expect(
      records
        .filter(r => r.result === 'succeeded')
        .map(r => r.id)
        .sort(),
    ).toEqual(won.map(w => w.auditId).sort());
    expect(records.filter(r => r.result === 'conflict')).toHaveLength(
      lost.length,
    );
    // every succeeded write started from the split the previous one left
    const succeeded = records.filter(r => r.result === 'succeeded').reverse();
    for (let i = 1; i < succeeded.length; i++) {
      expect(succeeded[i].before).toEqual(succeeded[i - 1].after);
    }
  });

  it('refuses a route managed by Argo CD unless the cluster allows it', async () => {
    const model = 'svc-gitops';
    await bed.routedModel(
      model,
      { '5': 90, '6': 10, '7': 0 },
      {
        labels: { 'app.kubernetes.io/instance': 'fraud-apps' },
      },
    );
    const before = await kubeOk('GET', routePath(model));

    const refused = (await serviceWith()).apply(
      request(model, { weights: { '5': 50, '6': 50 } }),
      ACTOR,
    );
    await expect(refused).rejects.toThrow(NotAllowedError);
    await expect(refused).rejects.toThrow(
      `HTTPRoute ${bed.ns}/${model} is managed by the Argo CD application 'fraud-apps': its next sync would revert a direct change`,
    );
    expect(await kubeOk('GET', routePath(model))).toEqual(before);
    expect((await trail(model))[0]).toMatchObject({
      result: 'refused',
      error: expect.stringContaining('Argo CD'),
    });

    const allowed = await serviceWith({
      clusters: [{ name: 'local', allowGitOpsManaged: true }],
    });
    await allowed.apply(
      request(model, { weights: { '5': 50, '6': 50 } }),
      ACTOR,
    );
    expect(await bed.routeWeights(model)).toEqual([50, 50, 0]);
  });

  it('refuses to give traffic to an unsafe version, says how to fix it, and lets it be taken out', async () => {
    const model = 'svc-unsafe';
    await bed.routedModel(model, { '5': 90, '6': 10, '7': 0 });
    const before = await kubeOk('GET', routePath(model));

    const refused = (await serviceWith()).apply(
      request(model, {
        strategy: 'canary',
        target: { version: '7', percent: 5 },
      }),
      ACTOR,
    );
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(
      "Version 7 of model 'svc-unsafe' cannot get more traffic in local/" +
        `${bed.ns}: svc-unsafe v7 is unsafe to serve: sklearn model saved with cloudpickle`,
    );
    expect(await kubeOk('GET', routePath(model))).toEqual(before);
    expect((await trail(model))[0]).toMatchObject({
      result: 'refused',
      strategy: 'canary',
      after: {
        versions: expect.arrayContaining([
          { version: '7', weight: 5, percent: 5 },
        ]),
      },
    });

    // No config lets it gain, not even where unknown versions may serve;
    // lowering its share, down to taking it out, is always allowed.
    await expect(
      (
        await serviceWith({}, { allowUnknown: [{ cluster: 'local' }] })
      ).apply(
        request(model, {
          strategy: 'canary',
          target: { version: '7', percent: 5 },
        }),
        ACTOR,
      ),
    ).rejects.toThrow(/is unsafe to serve/);
    const serving = 'svc-unsafe-out';
    await bed.routedModel(serving, { '5': 85, '6': 10, '7': 5 });
    await (
      await serviceWith()
    ).apply(
      request(serving, { strategy: 'promote', target: { version: '5' } }),
      ACTOR,
    );
    expect(await bed.routeWeights(serving)).toEqual([100, 0, 0]);
  });

  it('refuses an unknown version traffic by default, with the reason, and gives it where config allows unknown', async () => {
    const model = 'svc-unknown';
    await bed.routedModel(model, { '5': 100, '8': 0 });
    const before = await kubeOk('GET', routePath(model));
    const canary = request(model, {
      strategy: 'canary',
      target: { version: '8', percent: 10 },
    });

    await expect((await serviceWith()).apply(canary, ACTOR)).rejects.toThrow(
      `Version 8 of model 'svc-unknown' cannot get more traffic in local/${bed.ns}: svc-unknown v8 may not serve in local/${bed.ns}: its serialization is unknown, model.pt is over the inspection budget.`,
    );
    // Allowed elsewhere only: still refused here.
    await expect(
      (
        await serviceWith(
          {},
          { allowUnknown: [{ cluster: 'local', namespace: 'elsewhere' }] },
        )
      ).apply(canary, ACTOR),
    ).rejects.toThrow(/Unknown versions may serve only in local\/elsewhere/);
    expect(await kubeOk('GET', routePath(model))).toEqual(before);
    expect((await trail(model))[0]).toMatchObject({ result: 'refused' });

    await (
      await serviceWith(
        {},
        { allowUnknown: [{ cluster: 'local', namespace: bed.ns }] },
      )
    ).apply(canary, ACTOR);
    expect(await bed.routeWeights(model)).toEqual([90, 10]);
  });

  it('refuses bad requests before sending anything, naming the field, and records them', async () => {
    const model = 'svc-unsafe';
    const before = await kubeOk('GET', routePath(model));
    const service = await serviceWith();
    const cases: Array<[Partial<RolloutRequest>, string]> = [
      [
        { weights: { '5': -1, '6': 10 } },
        'weights.5: Number must be greater than or equal to 0',
      ],
      [
        { weights: { '5': 1.5 } },
        'weights.5: Expected integer, received float',
      ],
      [
        { weights: { '5': 0, '6': 0 } },
        'weights: at least one version must get traffic',
      ],
      [{ weights: {} }, 'weights: name at least one version and its weight'],
      [
        { weights: { '3': 10, '5': 90 } },
        `weights: version 3 cannot get traffic from HTTPRoute ${bed.ns}/${model}, which routes to versions 5, 6, 7`,
      ],
      [
        { weights: { '9': 10, '5': 90 } },
        "weights: version 9 is not a version of model 'svc-unsafe' in its registry",
      ],
      [
        { strategy: 'canary', target: { version: '6', percent: 101 } },
        'target.percent: Number must be less than or equal to 100',
      ],
      [
        { strategy: 'promote' },
        'target.version: the promote strategy needs the version',
      ],
      [{ strategy: 'abort' }, 'strategy: abort is an action of Argo Rollouts'],
    ];
    for (const [fields, message] of cases) {
      await expect(
        service.apply(request(model, fields), ACTOR),
      ).rejects.toThrow(message);
    }
    await expect(
      service.apply(
        { ...request(model, { weights: { '5': 1 } }), namespace: 'nowhere' },
        ACTOR,
      ),
    ).rejects.toThrow(`Model '${model}' has no deployment in local/nowhere`);
    expect(await kubeOk('GET', routePath(model))).toEqual(before);
    // a refusal made before the service, e.g. by the permission check
    await service.recordRefused(
      request(model, { strategy: 'promote', target: { version: '6' } }),
      'user:default/mallory',
      'Not allowed to roll out svc-unsafe',
    );
    const refused = (await trail(model)).filter(r => r.result === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(cases.length + 2);
    expect(refused[0]).toMatchObject({
      actor: 'user:default/mallory',
      strategy: 'promote',
      error: 'Not allowed to roll out svc-unsafe',
    });
  });

  it('refuses a route an Argo Rollout steers, naming the Rollout', async () => {
    const model = 'svc-steered';
    // The Rollout carries no model label, so the catalog shows the route as the router.
    await kubeOk('POST', paths.rollouts(bed.ns), {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'steers-svc' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'steers-svc' } },
        template: {
          ...podTemplate(model, '6'),
          metadata: { labels: { app: 'steers-svc' } },
        },
        strategy: {
          canary: {
            steps: [{ setWeight: 20 }],
            trafficRouting: {
              plugins: {
                'argoproj-labs/gatewayAPI': {
                  httpRoute: model,
                  namespace: bed.ns,
                },
              },
            },
          },
        },
      },
    });
    await bed.routedModel(model, { '5': 80, '6': 20, '7': 0 });
    const before = await kubeOk('GET', routePath(model));

    await expect(
      (
        await serviceWith({
          clusters: [{ name: 'local', allowGitOpsManaged: true }],
        })
      ).apply(request(model, { weights: { '5': 50, '6': 50 } }), ACTOR),
    ).rejects.toThrow(
      `HTTPRoute ${bed.ns}/${model} is steered by the Argo Rollout 'steers-svc'`,
    );
    expect(await kubeOk('GET', routePath(model))).toEqual(before);
    expect((await trail(model))[0]).toMatchObject({ result: 'refused' });
  });

  it('runs a KServe canary and rolls it back to the recorded split', async () => {
    const model = 'svc-kserve';
    await createInferenceService({
      ns: bed.ns,
      name: model,
      model,
      previous: '2',
      latest: '3',
      canaryTrafficPercent: 30,
    });
    await bed.untilCatalogShows(model, 'InferenceService');
    const service = await serviceWith();
    const isvcPath = `${paths.inferenceServices(bed.ns)}/${model}`;
    const before = await kubeOk('GET', isvcPath);

    await service.apply(
      request(model, {
        strategy: 'canary',
        target: { version: '3', percent: 60 },
      }),
      ACTOR,
    );
    const after = await kubeOk('GET', isvcPath);
    expect(after.spec.predictor.canaryTrafficPercent).toBe(60);
    expect(changedPaths(before, after)).toEqual([
      '/spec/predictor/canaryTrafficPercent',
    ]);

    const rolledBack = await service.apply(
      request(model, { strategy: 'rollback' }),
      ACTOR,
    );
    expect(
      (await kubeOk('GET', isvcPath)).spec.predictor.canaryTrafficPercent,
    ).toBe(30);
    expect(rolledBack.after.versions).toEqual([
      { version: '2', weight: 70, percent: 70 },
      { version: '3', weight: 30, percent: 30 },
    ]);
  });

  it('moves an Argo canary to the step of a split, then promotes it fully', async () => {
    const model = 'svc-argo';
    await createArgoRollout({
      ns: bed.ns,
      name: model,
      model,
      stable: '5',
      canary: '6',
      stepIndex: 1,
    });
    await bed.untilCatalogShows(model, 'Rollout');
    const service = await serviceWith();
    const rolloutPath = `${paths.rollouts(bed.ns)}/${model}`;
    const before = await kubeOk('GET', rolloutPath);

    const toStep = await service.apply(
      request(model, {
        strategy: 'canary',
        target: { version: '6', percent: 50 },
      }),
      ACTOR,
    );
    const atStep = await kubeOk('GET', rolloutPath);
    expect(changedPaths(before, atStep)).toEqual([
      '/status/currentStepIndex',
      '/status/pauseConditions',
    ]);
    expect(atStep.status.currentStepIndex).toBe(2);
    expect(toStep.before.versions.map(v => [v.version, v.percent])).toEqual([
      ['5', 80],
      ['6', 20],
    ]);
    expect(toStep.after.versions.map(v => [v.version, v.percent])).toEqual([
      ['5', 50],
      ['6', 50],
    ]);

    await service.apply(
      request(model, { strategy: 'promote', target: { version: '6' } }),
      ACTOR,
    );
    const promoted = await kubeOk('GET', rolloutPath);
    expect(changedPaths(atStep, promoted)).toEqual(['/status/promoteFull']);
    expect((await trail(model)).map(r => [r.strategy, r.result])).toEqual([
      ['promote', 'succeeded'],
      ['canary', 'succeeded'],
    ]);
  });
});
