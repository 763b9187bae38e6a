import { kubeOk, paths } from './localKube';
import { podTemplate } from './fixtures';

const STEPS = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 50 },
  { pause: { duration: '10m' } },
  { setWeight: 100 },
];

function phaseOf(promoted: boolean, paused: boolean) {
  if (promoted) return 'Healthy';
  return paused ? 'Paused' : 'Progressing';
}

/**
 * Argo's controller reconciles only the Rollouts whose instance-id label
 * matches its own, and the local platform's has none: a fixture with this
 * label is left alone, so its status stays exactly as a test wrote it.
 */
const IGNORED_BY_THE_CONTROLLER = {
  'argo-rollouts.argoproj.io/controller-instance-id': 'ml-platform-fixtures',
};

/**
 * A canary Rollout of `model` from `stable` to `canary` as Argo leaves it:
 * a ReplicaSet per revision owned by the Rollout, and the status its
 * controller writes. The local platform's real controller ignores it, so the
 * status stays as written.
 */
export async function createArgoRollout(options: {
  ns: string;
  name: string;
  model: string;
  stable: string;
  canary: string;
  /** Step the canary is at; past the last step the canary is fully promoted. */
  stepIndex: number;
  labels?: Record<string, string>;
}) {
  const { ns, name, model, stable, canary, stepIndex } = options;
  const hash = (v: string) =>
    `h${v}x${name.replace(/[^a-z0-9]/g, '')}`.slice(0, 10);
  const promoted = stepIndex >= STEPS.length;
  const rollout = await kubeOk('POST', paths.rollouts(ns), {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name,
      labels: {
        'ml-platform.io/model': model,
        ...IGNORED_BY_THE_CONTROLLER,
        ...options.labels,
      },
    },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': model } },
      template: podTemplate(model, canary),
      strategy: {
        canary: {
          stableService: `${name}-stable`,
          canaryService: `${name}-canary`,
          steps: STEPS,
        },
      },
    },
  });
  for (const [revision, version] of [stable, canary].entries()) {
    const template = podTemplate(model, version);
    const labels = {
      ...template.metadata.labels,
      'rollouts-pod-template-hash': hash(version),
    };
    await kubeOk('POST', paths.replicaSets(ns), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-${hash(version)}`,
        labels,
        annotations: { 'rollout.argoproj.io/revision': String(revision + 1) },
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name,
            uid: rollout.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': model,
            'rollouts-pod-template-hash': hash(version),
          },
        },
        template: { ...template, metadata: { labels } },
      },
    });
  }
  let weight = 0;
  for (const step of STEPS.slice(0, stepIndex + 1)) {
    weight = (step as { setWeight?: number }).setWeight ?? weight;
  }
  const paused = !promoted && 'pause' in STEPS[stepIndex];
  return kubeOk(
    'PATCH',
    `${paths.rollouts(ns)}/${name}/status`,
    {
      status: {
        phase: phaseOf(promoted, paused),
        currentStepIndex: stepIndex,
        currentPodHash: hash(canary),
        stableRS: promoted ? hash(canary) : hash(stable),
        controllerPause: paused,
        ...(paused && {
          pauseConditions: [
            { reason: 'CanaryPauseStep', startTime: '2026-11-29T10:00:00Z' },
          ],
        }),
        canary: promoted
          ? {}
          : {
              weights: {
                canary: {
                  weight,
                  podTemplateHash: hash(canary),
                  serviceName: `${name}-canary`,
                },
                stable: {
                  weight: 100 - weight,
                  podTemplateHash: hash(stable),
                  serviceName: `${name}-stable`,
                },
              },
            },
      },
    },
    'application/merge-patch+json',
  );
}
