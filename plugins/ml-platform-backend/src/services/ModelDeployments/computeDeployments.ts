import type {
  V1Deployment,
  V1ObjectMeta,
  V1ReplicaSet,
  V1Service,
} from '@kubernetes/client-node';
import {
  ML_PLATFORM_LABELS,
  type ModelDeployment,
  type ModelWorkload,
} from '@mlplatform/plugin-ml-platform-common';
import { gitOpsOwner } from './managedBy';
import { splitPercentages } from './splitPercentages';
import type {
  ClusterObjects,
  HttpRoute,
  InferenceService,
  Rollout,
} from './types';

/** Label Argo Rollouts puts on its ReplicaSets and on the selectors of its Services. */
export const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

/** Label Knative puts on the Deployment of each revision of a KServe predictor. */
export const KNATIVE_REVISION = 'serving.knative.dev/revision';

interface VersionEntry {
  version: string;
  workload?: ModelWorkload;
  weight?: number;
}

/** One (namespace, model) pair while it is being assembled. */
interface Group {
  namespace: string;
  model: string;
  registryId?: string;
  router?: ModelDeployment['router'];
  progress?: ModelDeployment['progress'];
  versions: Map<string, VersionEntry>;
}

export interface ModelVersionRef {
  model: string;
  version: string;
  registryId?: string;
}

/**
 * Turns the objects cached from one cluster into model deployments: one per
 * model and namespace, a workload per version, and the traffic split of the
 * object that routes between the versions (an Argo Rollout, a KServe
 * InferenceService or a Gateway API HTTPRoute, in that order of precedence).
 *
 * Pure: no I/O, so a read of the cache never reaches a cluster.
 */
export function computeDeployments(
  cluster: string,
  objects: ClusterObjects,
): ModelDeployment[] {
  const groups = new Map<string, Group>();
  const group = (namespace: string, ref: ModelVersionRef | { model: string }) =>
    groupFor(groups, namespace, ref);

  const replicaSetsByHash = indexReplicaSetsByHash(objects.replicaSets);

  // `<namespace>/<Knative revision>` -> the model version its Deployment runs.
  const revisionVersions = new Map<string, string>();
  for (const deployment of objects.deployments) {
    const ref = modelVersionOf(deployment.metadata?.labels);
    if (!ref) continue;
    const revision = deployment.metadata?.labels?.[KNATIVE_REVISION];
    if (revision) {
      revisionVersions.set(key(namespaceOf(deployment), revision), ref.version);
    }
    const g = group(namespaceOf(deployment), ref);
    versionEntry(g, ref.version).workload = workloadOf(
      'Deployment',
      deployment,
    );
  }

  // Routes a Rollout steers: its deployment reports them, they are not routers of their own.
  const routesOfRollouts = new Map<string, string>();
  for (const rollout of objects.rollouts) {
    for (const route of routesSteeredBy(rollout)) {
      routesOfRollouts.set(route, rollout.metadata?.name ?? '');
    }
    addRollout(rollout, replicaSetsByHash, group);
  }

  for (const isvc of objects.inferenceServices) {
    addInferenceService(isvc, groups, group, revisionVersions);
  }

  const services = new Map<string, V1Service>();
  for (const service of objects.services) {
    services.set(key(namespaceOf(service), service.metadata?.name), service);
  }
  for (const route of sortByName(objects.httpRoutes)) {
    const rolloutName = routesOfRollouts.get(
      key(namespaceOf(route), route.metadata?.name),
    );
    addHttpRoute(route, rolloutName, services, replicaSetsByHash, group);
  }

  return [...groups.values()]
    .map(g => toDeployment(cluster, g))
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.model.localeCompare(b.model),
    );
}

// ---------------------------------------------------------------- Argo Rollouts

function addRollout(
  rollout: Rollout,
  replicaSetsByHash: Map<string, V1ReplicaSet>,
  group: (namespace: string, ref: { model: string }) => Group,
) {
  const namespace = namespaceOf(rollout);
  const model =
    rollout.metadata?.labels?.[ML_PLATFORM_LABELS.model] ??
    rollout.spec?.template?.metadata?.labels?.[ML_PLATFORM_LABELS.model];
  if (!model) return;
  const g = group(namespace, { model });
  if (g.router) return;

  const status = rollout.status ?? {};
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  const canaryWeight =
    status.canary?.weights?.canary?.weight ??
    weightAtStep(steps, status.currentStepIndex);
  const stableWeight =
    status.canary?.weights?.stable?.weight ?? 100 - canaryWeight;

  const sides: Array<{ hash?: string; weight: number }> =
    status.stableRS && status.stableRS === status.currentPodHash
      ? [{ hash: status.stableRS, weight: 100 }]
      : [
          { hash: status.stableRS, weight: stableWeight },
          { hash: status.currentPodHash, weight: canaryWeight },
        ];
  for (const side of sides) {
    const replicaSet = side.hash
      ? replicaSetsByHash.get(key(namespace, side.hash))
      : undefined;
    const ref = modelVersionOf(replicaSet?.metadata?.labels);
    if (!replicaSet || !ref || ref.model !== model) continue;
    const entry = versionEntry(g, ref.version);
    // The ReplicaSet is what the Rollout's Services send traffic to.
    entry.workload = workloadOf('ReplicaSet', replicaSet);
    entry.weight = (entry.weight ?? 0) + side.weight;
    g.registryId ??= ref.registryId;
  }

  g.router = {
    apiVersion: rollout.apiVersion ?? 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: rollout.metadata?.name ?? '',
    resourceVersion: rollout.metadata?.resourceVersion ?? '',
    managedBy: gitOpsOwner(rollout.metadata),
  };
  g.progress = {
    phase: status.phase,
    currentStepIndex: status.currentStepIndex,
    totalSteps: steps.length,
    paused:
      rollout.spec?.paused === true ||
      status.controllerPause === true ||
      (status.pauseConditions ?? []).length > 0,
    message: status.message,
  };
}

/**
 * The canary weight Argo sets at a step: the last `setWeight` at or before
 * it; past the last step the canary has all traffic.
 */
export function weightAtStep(
  steps: Array<{ setWeight?: number }>,
  currentStepIndex = 0,
): number {
  if (currentStepIndex >= steps.length) return 100;
  let weight = 0;
  for (const step of steps.slice(0, currentStepIndex + 1)) {
    weight = step.setWeight ?? weight;
  }
  return weight;
}

/** `<namespace>/<route name>` of every HTTPRoute whose weights a Rollout rewrites. */
export function routesSteeredBy(rollout: Rollout): string[] {
  const plugins = rollout.spec?.strategy?.canary?.trafficRouting?.plugins ?? {};
  const routes: string[] = [];
  for (const plugin of Object.values(plugins)) {
    if (!plugin) continue;
    const namespace = plugin.namespace ?? namespaceOf(rollout);
    if (plugin.httpRoute) routes.push(key(namespace, plugin.httpRoute));
    for (const r of plugin.httpRoutes ?? [])
      routes.push(key(namespace, r.name));
  }
  return routes;
}

// ---------------------------------------------------------------- KServe

/**
 * KServe's traffic names revisions, not versions. The revision marked
 * `latestRevision` serves the version the InferenceService declares now (its
 * `ml-platform.io/model-version` label, else the last segment of
 * `storageUri`); any other revision serves the version its own Deployment
 * says (Knative labels it with the revision, and the InferenceService's labels
 * reach it). A revision with no such Deployment is shown under its name. The
 * previously rolled-out revision is listed even at 0 %: a new canary share is
 * set against it.
 */
function addInferenceService(
  isvc: InferenceService,
  groups: Map<string, Group>,
  group: (namespace: string, ref: { model: string }) => Group,
  revisionVersions: Map<string, string>,
) {
  const labels = isvc.metadata?.labels ?? {};
  const model = labels[ML_PLATFORM_LABELS.model];
  if (!model) return;
  const namespace = namespaceOf(isvc);
  const existing = groups.get(key(namespace, model));
  if (existing?.router) return;
  const g = group(namespace, { model });
  g.registryId ??= labels[ML_PLATFORM_LABELS.registry];

  const latest =
    labels[ML_PLATFORM_LABELS.modelVersion] ??
    isvc.spec?.predictor?.model?.storageUri?.split('/').pop();
  const versionOf = (revision: string | undefined) =>
    revision ? revisionVersions.get(key(namespace, revision)) : undefined;
  const predictor = isvc.status?.components?.predictor;
  const traffic = predictor?.traffic ?? [];
  // What rolled out before: a canary share of the spec goes against it.
  const previous = versionOf(predictor?.previousRolledoutRevision);

  const shares = traffic.length
    ? traffic.map(t => ({
        version:
          (t.latestRevision ? latest : versionOf(t.revisionName)) ??
          t.revisionName ??
          'unknown',
        weight: t.percent ?? 0,
      }))
    : // Not reconciled yet: what the spec asks for.
      splitFromSpec(isvc, latest, previous);
  if (
    previous &&
    previous !== latest &&
    !shares.some(s => s.version === previous)
  ) {
    // Promoted: the version a new canary share would go against, at 0 %.
    shares.push({ version: previous, weight: 0 });
  }
  for (const share of shares) {
    const entry = versionEntry(g, share.version);
    entry.weight = (entry.weight ?? 0) + share.weight;
  }

  const inCanary = shares.filter(s => s.weight > 0).length > 1;
  const ready = isvc.status?.conditions?.find(c => c.type === 'Ready');
  g.router = {
    apiVersion: isvc.apiVersion ?? 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    name: isvc.metadata?.name ?? '',
    resourceVersion: isvc.metadata?.resourceVersion ?? '',
    managedBy: gitOpsOwner(isvc.metadata),
  };
  g.progress = {
    phase: inCanary ? 'Canary' : 'Promoted',
    message:
      ready && ready.status !== 'True'
        ? ready.message ?? 'InferenceService is not Ready'
        : undefined,
  };
}

function splitFromSpec(
  isvc: InferenceService,
  latest: string | undefined,
  previous: string | undefined,
): Array<{ version: string; weight: number }> {
  if (!latest) return [];
  const canary = isvc.spec?.predictor?.canaryTrafficPercent ?? 100;
  if (canary >= 100 || !previous || previous === latest)
    return [{ version: latest, weight: 100 }];
  return [
    { version: latest, weight: canary },
    { version: previous, weight: 100 - canary },
  ];
}

// ---------------------------------------------------------------- Gateway API

function addHttpRoute(
  route: HttpRoute,
  rolloutName: string | undefined,
  services: Map<string, V1Service>,
  replicaSetsByHash: Map<string, V1ReplicaSet>,
  group: (namespace: string, ref: { model: string }) => Group,
) {
  const namespace = namespaceOf(route);
  const rule = trafficRule(route);
  if (!rule) return;

  // Backends whose Service we cannot tie to a model version are left out of
  // the split: their share is not any version's (the route's ResolvedRefs
  // condition says what is wrong with them).
  const byModel = new Map<
    string,
    Array<ModelVersionRef & { weight: number }>
  >();
  for (const ref of rule.backendRefs ?? []) {
    if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') {
      continue;
    }
    const service = services.get(key(ref.namespace ?? namespace, ref.name));
    const target = service
      ? modelVersionOfService(service, replicaSetsByHash)
      : undefined;
    if (!target) continue;
    const list = byModel.get(target.model) ?? [];
    list.push({ ...target, weight: ref.weight ?? 1 });
    byModel.set(target.model, list);
  }

  for (const [model, backends] of byModel) {
    const g = group(namespace, { model });
    // A Rollout that steers this route already reported the model's split.
    if (g.router) continue;
    for (const backend of backends) {
      const entry = versionEntry(g, backend.version);
      entry.weight = (entry.weight ?? 0) + backend.weight;
      g.registryId ??= backend.registryId;
    }
    g.router = {
      apiVersion: route.apiVersion ?? 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      name: route.metadata?.name ?? '',
      resourceVersion: route.metadata?.resourceVersion ?? '',
      managedBy: rolloutName
        ? `rollout:${rolloutName}`
        : gitOpsOwner(route.metadata),
    };
  }
}

/**
 * The rule whose split we report: the catch-all one (no match, or prefix `/`)
 * if there is one, else the first rule with backends. Other rules only see
 * the requests their matches select, so their weights are not "the" split.
 */
export function trafficRule(route: HttpRoute) {
  const rules = (route.spec?.rules ?? []).filter(
    r => (r.backendRefs ?? []).length > 0,
  );
  const catchAll = rules.find(
    r =>
      !r.matches?.length ||
      r.matches.some(
        m =>
          Object.keys(m).length === 1 &&
          m.path?.value === '/' &&
          (m.path.type ?? 'PathPrefix') === 'PathPrefix',
      ),
  );
  return catchAll ?? rules[0];
}

/**
 * The model version a Service sends traffic to: its own model labels, else
 * the model version in its selector, else (Argo's stable/canary Services) the
 * ReplicaSet its `rollouts-pod-template-hash` selects.
 */
export function modelVersionOfService(
  service: V1Service,
  replicaSetsByHash: Map<string, V1ReplicaSet>,
): ModelVersionRef | undefined {
  const labels = service.metadata?.labels ?? {};
  const selector = service.spec?.selector ?? {};
  const merged = { ...selector, ...labels };
  const direct = modelVersionOf(merged);
  if (direct) return direct;
  const hash = selector[POD_TEMPLATE_HASH];
  const replicaSet = hash
    ? replicaSetsByHash.get(key(namespaceOf(service), hash))
    : undefined;
  return modelVersionOf(replicaSet?.metadata?.labels);
}

// ---------------------------------------------------------------- helpers

export function indexReplicaSetsByHash(replicaSets: V1ReplicaSet[]) {
  const byHash = new Map<string, V1ReplicaSet>();
  for (const rs of replicaSets) {
    const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH];
    if (hash) byHash.set(key(namespaceOf(rs), hash), rs);
  }
  return byHash;
}

export function modelVersionOf(
  labels?: Record<string, string>,
): ModelVersionRef | undefined {
  const model = labels?.[ML_PLATFORM_LABELS.model];
  const version = labels?.[ML_PLATFORM_LABELS.modelVersion];
  if (!model || !version) return undefined;
  return { model, version, registryId: labels[ML_PLATFORM_LABELS.registry] };
}

/** `kind` is passed in because the items of a list response do not carry it. */
function workloadOf(
  kind: 'Deployment' | 'ReplicaSet',
  workload: V1Deployment | V1ReplicaSet,
): ModelWorkload {
  return {
    kind,
    name: workload.metadata?.name ?? '',
    // Desired count from the spec; what is actually up from the controller's status.
    replicas: workload.spec?.replicas ?? 1,
    readyReplicas: workload.status?.readyReplicas ?? 0,
    availableReplicas: workload.status?.availableReplicas ?? 0,
  };
}

function groupFor(
  groups: Map<string, Group>,
  namespace: string,
  ref: ModelVersionRef | { model: string },
): Group {
  const k = key(namespace, ref.model);
  let g = groups.get(k);
  if (!g) {
    g = { namespace, model: ref.model, versions: new Map() };
    groups.set(k, g);
  }
  if ('registryId' in ref) g.registryId ??= ref.registryId;
  return g;
}

function versionEntry(g: Group, version: string): VersionEntry {
  let entry = g.versions.get(version);
  if (!entry) {
    entry = { version };
    g.versions.set(version, entry);
  }
  return entry;
}

function toDeployment(cluster: string, g: Group): ModelDeployment {
  const entries = [...g.versions.values()].sort((a, b) =>
    compareVersions(a.version, b.version),
  );
  const percents = splitPercentages(entries.map(e => e.weight ?? 0));
  return {
    cluster,
    namespace: g.namespace,
    model: g.model,
    ...(g.registryId && { registryId: g.registryId }),
    ...(g.router && { router: withoutUndefined(g.router) }),
    ...(g.progress && { progress: withoutUndefined(g.progress) }),
    versions: entries.map((e, i) => ({
      version: e.version,
      ...(e.workload && { workload: e.workload }),
      ...(e.weight !== undefined && { weight: e.weight }),
      percent: percents[i],
    })),
  };
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

function sortByName<T extends { metadata?: V1ObjectMeta }>(items: T[]): T[] {
  return [...items].sort((a, b) =>
    key(namespaceOf(a), a.metadata?.name).localeCompare(
      key(namespaceOf(b), b.metadata?.name),
    ),
  );
}

function namespaceOf(obj: { metadata?: V1ObjectMeta }): string {
  return obj.metadata?.namespace ?? '';
}

function key(namespace: string, name: string | undefined): string {
  return `${namespace}/${name ?? ''}`;
}
