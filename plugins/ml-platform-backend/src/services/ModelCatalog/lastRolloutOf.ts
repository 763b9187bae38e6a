import {
  ModelSummary,
  RegisteredModel,
  RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * A lookup of each model's newest succeeded rollout, for listing rows: a
 * rollout that names no registry counts for the model in every registry.
 */
export function lastRolloutOf(records: RolloutAuditRecord[]) {
  const newest = new Map<string, RolloutAuditRecord>();
  const keep = (key: string, r: RolloutAuditRecord) => {
    const known = newest.get(key);
    if (!known || known.at < r.at) newest.set(key, r);
  };
  for (const r of records) {
    keep(JSON.stringify([r.registryId ?? '', r.model]), r);
  }
  return (
    model: RegisteredModel,
  ): Pick<ModelSummary, 'lastRollout'> | undefined => {
    const own = newest.get(JSON.stringify([model.registryId, model.name]));
    const unnamed = newest.get(JSON.stringify(['', model.name]));
    const r = [own, unnamed]
      .filter((x): x is RolloutAuditRecord => !!x)
      .sort((a, b) => b.at.localeCompare(a.at))[0];
    return r
      ? {
          lastRollout: {
            at: r.at,
            strategy: r.strategy,
            cluster: r.cluster,
            namespace: r.namespace,
            actor: r.actor,
          },
        }
      : undefined;
  };
}
