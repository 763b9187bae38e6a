import {
  sortedByName,
  type TrafficClaim,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import {
  ownerOfVirtualService,
  routeContextOf,
  versionDestinations,
} from './readRoutes';
import { VIRTUAL_SERVICES } from './resources';
import type { VirtualService } from './types';

/** The split of each VirtualService's traffic route, per model. */
export function claimVirtualServices(objects: WatchedObjects): TrafficClaim[] {
  const context = routeContextOf(objects);
  return sortedByName(objects.list<VirtualService>(VIRTUAL_SERVICES)).flatMap(
    vs => {
      const byModel = new Map<string, ReturnType<typeof versionDestinations>>();
      for (const d of versionDestinations(vs, context)) {
        byModel.set(d.model, [...(byModel.get(d.model) ?? []), d]);
      }
      return [...byModel].map(([model, destinations]) => ({
        namespace: vs.metadata?.namespace ?? '',
        model,
        registryId: destinations.find(d => d.registryId)?.registryId,
        versions: destinations.map(d => ({
          version: d.version,
          weight: d.weight,
        })),
        router: {
          apiVersion:
            vs.apiVersion ??
            `${VIRTUAL_SERVICES.group}/${VIRTUAL_SERVICES.version}`,
          kind: VIRTUAL_SERVICES.kind,
          name: vs.metadata?.name ?? '',
          resourceVersion: vs.metadata?.resourceVersion ?? '',
          managedBy: ownerOfVirtualService(vs, context.rollouts),
        },
      }));
    },
  );
}
