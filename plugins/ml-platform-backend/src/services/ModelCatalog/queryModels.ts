import { ModelSummary } from '@mlplatform/plugin-ml-platform-common';
import { ModelQuery } from './types';

/** Filters, then pages, model summaries sorted by name. */
export function queryModels(
  models: ModelSummary[],
  query: ModelQuery,
): { items: ModelSummary[]; totalCount: number } {
  const search = query.search?.toLocaleLowerCase('en-US');
  const matching = models.filter(
    m =>
      (!search ||
        m.name.toLocaleLowerCase('en-US').includes(search) ||
        m.description?.toLocaleLowerCase('en-US').includes(search)) &&
      (!query.owner || m.owner === query.owner) &&
      // Own keys only: `constructor` is no alias of every model.
      (!query.alias || Object.hasOwn(m.aliases, query.alias)) &&
      (!query.cluster ||
        m.deployments.some(d => d.cluster === query.cluster)) &&
      // A model whose MLmodel could not be read has no verdict: unknown.
      (!query.safety || (m.safety ?? 'unknown') === query.safety) &&
      (query.deployed === undefined ||
        query.deployed ===
          m.deployments.some(d => d.versions.some(v => v.percent > 0))),
  );
  return {
    items: matching.slice(query.offset, query.offset + query.limit),
    totalCount: matching.length,
  };
}
