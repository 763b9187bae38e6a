import { podHash } from '../podTemplateHash.mjs';
import { conditions, now } from '../statusConditions.mjs';
import { addHttpRoute } from './gatewayApi.mjs';
import { meta, objectKey } from './objectMeta.mjs';
import { SERVICE_PORT } from './podSpecs.mjs';

/**
 * The Rollout with serving off: no controller runs, so the ReplicaSets of its
 * two revisions and its status, at the spec's step, are written as Argo would.
 */
export function addSeededRollout(demo, d, model, replicas) {
  const ns = d.namespace;
  const svc = model.service;
  const { stable: stableV, canary: canaryV, canarySteps: steps } = d;
  const index = d.currentStepIndex ?? 0;
  for (const v of [stableV, canaryV]) {
    demo.versionWorkload(model, v, ns, replicas);
  }
  const stableTpl = demo.podTemplate(model, stableV);
  const canaryTpl = demo.podTemplate(model, canaryV);
  const stableHash = podHash(stableTpl);
  const canaryHash = podHash(canaryTpl);
  // The traffic weight at the current step is the last setWeight at or before it.
  let weight = 0;
  for (const step of steps.slice(0, index + 1)) {
    weight = step.setWeight ?? weight;
  }
  const paused = index < steps.length && 'pause' in steps[index];
  const canaryReplicas = weight
    ? Math.max(1, Math.ceil((replicas * weight) / 100))
    : 0;
  const stableSvc = `${svc}-stable`;
  const canarySvc = `${svc}-canary`;

  // Argo points the stable/canary Services at a ReplicaSet by adding its
  // hash to the selector, and marks them as its own.
  const managed = { 'argo-rollouts.argoproj.io/managed-by-rollouts': svc };
  demo.service(
    stableSvc,
    ns,
    demo.serviceLabels(model),
    {
      'app.kubernetes.io/name': svc,
      'rollouts-pod-template-hash': stableHash,
    },
    managed,
  );
  demo.service(
    canarySvc,
    ns,
    demo.serviceLabels(model),
    {
      'app.kubernetes.io/name': svc,
      'rollouts-pod-template-hash': canaryHash,
    },
    managed,
  );
  // Argo's Gateway API plugin steers traffic by rewriting this route's weights.
  addHttpRoute(demo, svc, ns, demo.serviceLabels(model), [
    [stableSvc, 100 - weight],
    [canarySvc, weight],
  ]);

  const status = cur => {
    const old = cur.status ?? {};
    let pauseConditions = [];
    if (paused) {
      const keep = (old.pauseConditions ?? []).filter(
        p => p.reason === 'CanaryPauseStep',
      );
      pauseConditions = [
        {
          reason: 'CanaryPauseStep',
          startTime: keep.length ? keep[0].startTime : now(),
        },
      ];
    }
    const total = replicas + canaryReplicas;
    const st = {
      phase: paused ? 'Paused' : 'Progressing',
      message: paused ? 'CanaryPauseStep' : 'more replicas need to be updated',
      observedGeneration: String(cur.metadata.generation),
      currentStepIndex: index,
      currentStepHash: podHash(steps),
      currentPodHash: canaryHash,
      stableRS: stableHash,
      controllerPause: paused,
      pauseConditions,
      replicas: total,
      updatedReplicas: canaryReplicas,
      readyReplicas: total,
      availableReplicas: total,
      HPAReplicas: total,
      selector: `app.kubernetes.io/name=${svc}`,
      canary: {
        weights: {
          canary: {
            weight,
            podTemplateHash: canaryHash,
            serviceName: canarySvc,
          },
          stable: {
            weight: 100 - weight,
            podTemplateHash: stableHash,
            serviceName: stableSvc,
          },
        },
      },
      conditions: conditions(
        old.conditions,
        [
          {
            type: 'Available',
            status: 'True',
            reason: 'AvailableReason',
            message: 'Rollout has minimum availability',
          },
          {
            type: 'Progressing',
            status: 'True',
            reason: paused ? 'RolloutPaused' : 'ReplicaSetUpdated',
            message: paused
              ? 'Rollout is paused'
              : `Rollout "${svc}" is progressing.`,
          },
          {
            type: 'Paused',
            status: paused ? 'True' : 'False',
            reason: paused ? 'RolloutPaused' : 'RolloutResumed',
            message: paused ? 'Rollout is paused' : 'Rollout is resumed',
          },
          {
            type: 'Healthy',
            status: 'False',
            reason: 'RolloutHealthy',
            message: 'Rollout does not have minimum availability',
          },
        ],
        'lastUpdateTime',
        'lastTransitionTime',
      ),
    };
    if (!paused) delete st.pauseConditions;
    return st;
  };

  demo.add(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: meta(svc, ns, demo.serviceLabels(model)),
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: { 'app.kubernetes.io/name': svc } },
        template: canaryTpl,
        strategy: {
          canary: {
            stableService: stableSvc,
            canaryService: canarySvc,
            trafficRouting: {
              plugins: {
                'argoproj-labs/gatewayAPI': { httpRoute: svc, namespace: ns },
              },
            },
            steps,
          },
        },
      },
    },
    status,
    'argo-rollouts',
  );
  // The ReplicaSets Argo keeps per revision: `undo` copies the previous
  // one's template back. The ReplicaSet controller makes their pods and
  // writes their status.
  const revisions = [
    [stableTpl, stableHash, replicas],
    [canaryTpl, canaryHash, canaryReplicas],
  ];
  revisions.forEach(([tpl, hash, count], i) => {
    const labels = {
      ...tpl.metadata.labels,
      'rollouts-pod-template-hash': hash,
    };
    demo.add({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        ...meta(`${svc}-${hash}`, ns, labels, {
          'rollout.argoproj.io/revision': String(i + 1),
        }),
        // The uid is the Rollout's once it is applied.
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: svc,
            uid: null,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: count,
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': svc,
            'rollouts-pod-template-hash': hash,
          },
        },
        template: { ...tpl, metadata: { labels } },
      },
    });
  });
}

/**
 * The Rollout as its controller makes it: created at the stable version
 * (its first revision is promoted at once), then given the canary's
 * template, so the controller steps it to the spec's paused step. Argo sets
 * the weights of a TraefikService that the HTTPRoute sends the model's
 * traffic to (its Traefik traffic routing).
 */
export function addRealRollout(demo, d, model, replicas) {
  const ns = d.namespace;
  const svc = model.service;
  const { stable: stableV, canary: canaryV, canarySteps: steps } = d;
  const index = d.currentStepIndex ?? 0;
  // The Rollout's own ReplicaSets run the versions: no Deployment per version.
  const stableSvc = `${svc}-stable`;
  const canarySvc = `${svc}-canary`;
  for (const name of [stableSvc, canarySvc]) {
    // The controller adds the ReplicaSet's hash to each selector.
    demo.service(name, ns, demo.serviceLabels(model), {
      'app.kubernetes.io/name': svc,
    });
  }
  // Created once: its weights are the controller's from then on.
  const traefikService = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: meta(svc, ns, demo.serviceLabels(model)),
    spec: {
      weighted: {
        services: [
          { name: stableSvc, port: SERVICE_PORT, weight: 100 },
          { name: canarySvc, port: SERVICE_PORT, weight: 0 },
        ],
      },
    },
  };
  demo.createOnly.add(objectKey(traefikService));
  demo.add(traefikService);
  addHttpRoute(
    demo,
    svc,
    ns,
    demo.serviceLabels(model),
    [[svc, 1]],
    ['traefik.io', 'TraefikService'],
  );

  const rollout = version => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta(svc, ns, demo.serviceLabels(model)),
    spec: {
      replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': svc } },
      template: demo.podTemplate(model, version),
      strategy: {
        canary: {
          stableService: stableSvc,
          canaryService: canarySvc,
          trafficRouting: { traefik: { weightedTraefikServiceName: svc } },
          steps,
        },
      },
    },
  });

  // A seed before serving ran each version as a Deployment of its own too.
  demo.actions.push(async kube => {
    for (const v of [stableV, canaryV]) {
      for (const [apiVersion, kind] of [
        ['apps/v1', 'Deployment'],
        ['v1', 'Service'],
      ]) {
        await kube.delete({
          apiVersion,
          kind,
          metadata: { name: `${svc}-v${v}`, namespace: ns },
        });
      }
    }
  });
  demo.actions.push((kube, seedRollout) =>
    seedRollout(kube, {
      atStable: rollout(stableV),
      atCanary: rollout(canaryV),
      stableV,
      canaryV,
      index,
    }),
  );
}
