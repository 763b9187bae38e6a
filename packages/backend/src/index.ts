import { createBackend } from '@backstage/backend-defaults';
import { permissionModuleMlPortalPolicy } from './permissions/module';

// The portal's backend: the standard plugins a portal needs and the ML
// Platform plugin family. backend.test.ts boots this file as it is.
const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@mlplatform/plugin-catalog-backend-module-ml-platform'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@mlplatform/plugin-scaffolder-backend-module-ml-platform'));
// Templates publish with the SCM a company uses, chosen by
// mlPlatform.scaffolder.publish.provider; both modules are here so either works.
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitlab'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleMlPortalPolicy);

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@mlplatform/plugin-ml-platform-backend'));
// Traffic kinds beyond the built-in ones: Istio VirtualServices, and version
// Deployments behind one Service, split by their ready replicas.
backend.add(import('@mlplatform/plugin-ml-platform-backend-module-istio'));
backend.add(
  import('@mlplatform/plugin-ml-platform-backend-module-replica-ratio'),
);

// The portal's search: catalog entities, and the registered models and
// their versions, read through the ML Platform API. On PostgreSQL the index
// lives in the database, shared by every replica (one replica indexes);
// on SQLite, in memory.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@mlplatform/plugin-search-backend-module-ml-platform'));

// The actions of the plugins in backend.actions.pluginSources (the ML
// Platform's rollout actions), for AI agents at /api/mcp-actions/v1, each
// with the caller's own permissions.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// A plugin that failed to start leaves a process that answers liveness but
// never gets ready; exiting lets Kubernetes start it again.
backend.start().catch(error => {
  // eslint-disable-next-line no-console
  console.error('Backend failed to start', error);
  process.exit(1);
});
