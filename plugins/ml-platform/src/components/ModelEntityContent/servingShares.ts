import { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';

/** Where one version takes traffic, and how much of it. */
export interface ServingShare {
  cluster: string;
  namespace: string;
  percent: number;
}

/** Version → the places it serves traffic (> 0 %) right now. */
export function servingShares(
  deployments: ModelDeployment[],
): Map<string, ServingShare[]> {
  const shares = new Map<string, ServingShare[]>();
  for (const { cluster, namespace, versions } of deployments) {
    for (const { version, percent } of versions) {
      if (percent > 0) {
        const list = shares.get(version) ?? [];
        list.push({ cluster, namespace, percent });
        shares.set(version, list);
      }
    }
  }
  return shares;
}

/** "90% in local/ml-prod, 100% in local/ml-staging". */
export function describeShares(shares: ServingShare[] | undefined): string {
  if (!shares?.length) {
    return 'not serving';
  }
  return shares
    .map(s => `${s.percent}% in ${s.cluster}/${s.namespace}`)
    .join(', ');
}
