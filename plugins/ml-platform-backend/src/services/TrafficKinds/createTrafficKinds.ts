import { InputError } from '@backstage/errors';
import type {
  TrafficKind,
  TrafficKindEnvironment,
  TrafficObjectRef,
  TrafficRouter,
} from '@mlplatform/plugin-ml-platform-node';
import { environmentOfKind } from './environmentOfKind';

const DEFAULT_PRECEDENCE = 500;

/** The traffic kinds of the backend, built-in and from modules alike. */
export interface TrafficKinds {
  /** In order of precedence, ties in the order they were added. */
  readonly ordered: readonly TrafficKind[];
  /** The router of the kind whose objects are `ref`'s. */
  routerFor(ref: Pick<TrafficObjectRef, 'apiVersion' | 'kind'>): TrafficRouter;
}

/** The API group of an `apiVersion`: `''` for the core group's `v1`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The kinds in order of precedence, ties in the order they were added. */
export function orderTrafficKinds(
  kinds: readonly TrafficKind[],
): TrafficKind[] {
  return kinds
    .map((kind, index) => ({ kind, index }))
    .sort(
      (a, b) =>
        (a.kind.precedence ?? DEFAULT_PRECEDENCE) -
          (b.kind.precedence ?? DEFAULT_PRECEDENCE) || a.index - b.index,
    )
    .map(({ kind }) => kind);
}

/**
 * The kinds in order of precedence, and their routers, made on first use
 * from `env` (every cluster's client and watch cache), each router seeing
 * only the watched resources its kind declared.
 */
export function createTrafficKinds(
  kinds: readonly TrafficKind[],
  env: TrafficKindEnvironment,
): TrafficKinds {
  const ordered = orderTrafficKinds(kinds);
  const routers = new Map<string, TrafficRouter>();
  return {
    ordered,
    routerFor(ref) {
      const kind = ordered.find(
        k =>
          k.object.kind === ref.kind &&
          k.object.group === groupOf(ref.apiVersion),
      );
      if (!kind) {
        throw new InputError(
          `No traffic kind is installed for ${ref.kind} (${ref.apiVersion})`,
        );
      }
      let router = routers.get(kind.id);
      if (!router) {
        router = kind.createRouter(environmentOfKind(kind, env));
        routers.set(kind.id, router);
      }
      return router;
    },
  };
}
