/**
 * Per router kind: the rollout request that moves a model to a state, and
 * how that state reads on the object in the apiserver. A state is the
 * canary's (version 2's) share of traffic in percent.
 */
function httpRoutePercent(route) {
  let total = 0;
  let v2 = 0;
  for (const rule of route.spec?.rules ?? []) {
    for (const ref of rule.backendRefs ?? []) {
      total += ref.weight ?? 1;
      if (ref.name.endsWith('-v2')) v2 += ref.weight ?? 1;
    }
  }
  return total === 0 ? 0 : Math.round((100 * v2) / total);
}

// The Argo Rollout's steps (seedKubeObjects.mjs): setWeight 10 at index 0, 50 at 2.
const ARGO_STEP_OF = { 10: 0, 50: 2 };

export const KINDS = {
  HTTPRoute: {
    collection: 'httpRoutes',
    // Alternates so that every rollout changes the object.
    states: [20, 10],
    request: percent => ({
      strategy: 'canary',
      target: { version: '2', percent },
    }),
    percentOf: httpRoutePercent,
  },
  Rollout: {
    collection: 'rollouts',
    // Argo offers only its steps' weights: move between the 10 % and 50 % steps.
    states: [50, 10],
    request: percent => ({
      strategy: 'split',
      weights: { 1: 100 - percent, 2: percent },
    }),
    percentOf: rollout => {
      const index = rollout.status?.currentStepIndex;
      const entry = Object.entries(ARGO_STEP_OF).find(([, i]) => i === index);
      return entry ? Number(entry[0]) : undefined;
    },
  },
  InferenceService: {
    collection: 'inferenceServices',
    states: [20, 10],
    request: percent => ({
      strategy: 'canary',
      target: { version: '2', percent },
    }),
    percentOf: isvc => isvc.spec?.predictor?.canaryTrafficPercent,
  },
};
