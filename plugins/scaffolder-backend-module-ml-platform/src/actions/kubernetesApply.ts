import type { DiscoveryService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { isDns1123Label } from '@mlplatform/plugin-ml-platform-common';
import type { KubernetesClustersService } from '@mlplatform/plugin-ml-platform-node';
import { applyObjects, planObjects } from '../kubernetes/applyManifests';
import { fieldManagerFor } from '../kubernetes/ownership';
import {
  checkNamespaceAllowed,
  readApplyConfig,
} from '../kubernetes/readApplyConfig';
import { readManifests } from '../kubernetes/readManifests';
import { createResourceResolver } from '../kubernetes/resolveResource';
import { waitForReady } from '../kubernetes/waitForReady';
import { checkOwner, type OwnerCheckServices } from '../ownership/checkOwner';
import { readTaskStart } from '../scaffolder/readTaskStart';
import { elapsedSince } from '../scaffolder/elapsedSince';
import { examples } from './kubernetesApply.examples';

const DEFAULT_TIMEOUT_SECONDS = 300;

/** The client of the cluster the template names: an input error if there is none. */
function clusterClient(clusters: KubernetesClustersService, name: string) {
  try {
    return clusters.client(name);
  } catch (e) {
    if (e instanceof NotFoundError) throw new InputError(e.message);
    throw e;
  }
}

/**
 * Creates the `ml-platform:kubernetes:apply` action: server-side applies a
 * new service's manifests to one namespace of a configured cluster, with the
 * portal's credentials for that cluster, as the service's owner, and waits
 * until its workloads are available.
 * @public
 */
export function createKubernetesApplyAction(
  options: OwnerCheckServices & {
    config: Config;
    /** The clusters of the `kubernetes` section, with the portal's credentials for each. */
    clusters: KubernetesClustersService;
    discovery: DiscoveryService;
    /** How often readiness is read, and how long a Rollout may go without a controller. */
    readiness?: { pollMs?: number; unwatchedAfterMs?: number };
  },
) {
  const applyConfig = readApplyConfig(options.config);

  return createTemplateAction({
    id: 'ml-platform:kubernetes:apply',
    description:
      "Server-side applies the YAML manifests of the workspace to one namespace of a configured Kubernetes cluster, as the service's owner: the owner must be one of the user's groups (as ml-platform:owner:check decides), every object gets the ml-platform.io/owner label and annotation, the field manager is ml-platform/<owner>, and an existing object that is not the owner's is refused. Only the kinds of mlPlatform.scaffolder.apply.allowedKinds, only in a namespace of allowedNamespaces; cluster-scoped objects and objects of another namespace are refused. Every object is validated by the apiserver (dryRun=All) before any is applied, so a bad object applies nothing. In a dry run only the checks and the validation run. Then waits for the Deployments and Argo Rollouts to be available.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .min(1)
            .describe('Cluster name from kubernetes.clusterLocatorMethods'),
        namespace: z =>
          z.string().min(1).describe('Namespace every object is applied to'),
        owner: z =>
          z
            .string()
            .min(1)
            .max(255)
            .describe(
              'Entity reference of the group that owns the service, e.g. group:default/fraud-ml: one of the groups of the user running the template',
            ),
        path: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace-relative YAML file or directory; defaults to manifests',
            ),
        waitForReady: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Wait until Deployments and Rollouts have their replicas available; defaults to true',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              `How long to wait for readiness; defaults to ${DEFAULT_TIMEOUT_SECONDS}`,
            ),
        startedAt: z =>
          z
            .string()
            .datetime({ offset: true })
            .optional()
            .describe(
              'ISO time to measure elapsedSeconds from; defaults to when the task was created',
            ),
      },
      output: {
        objects: z =>
          z
            .array(z.string())
            .describe('Applied objects as Kind/namespace/name'),
        elapsedSeconds: z =>
          z
            .number()
            .optional()
            .describe(
              'Seconds from startedAt (by default the creation of the task) until the objects were applied and ready; an upper bound when the start is stored to the second',
            ),
        elapsedSecondsAtLeast: z =>
          z
            .number()
            .optional()
            .describe(
              'The lower bound of elapsedSeconds, set when the start is known only to the second (the scaffolder on SQLite)',
            ),
        elapsedText: z =>
          z
            .string()
            .optional()
            .describe(
              'elapsedSeconds for people: "3.4 s", or "2.4–3.4 s" when only a range is known',
            ),
      },
    },
    async handler(ctx) {
      const { cluster: clusterName, namespace, startedAt } = ctx.input;
      const path = ctx.input.path ?? 'manifests';
      const timeoutSeconds =
        ctx.input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

      if (!isDns1123Label(namespace)) {
        throw new InputError(
          `namespace '${namespace}' is not a DNS-1123 label`,
        );
      }
      checkNamespaceAllowed(applyConfig, namespace);
      const kube = clusterClient(options.clusters, clusterName);
      const owner = await checkOwner(
        options,
        await ctx.getInitiatorCredentials(),
        ctx.input.owner,
      );
      const manifests = await readManifests(ctx.workspacePath, path);
      const planned = await planObjects({
        manifests,
        namespace,
        resolve: createResourceResolver(kube),
        allowedKinds: applyConfig.allowedKinds,
        owner,
      });
      const where = `cluster '${clusterName}' as ${fieldManagerFor(owner)}`;

      if (ctx.isDryRun) {
        await applyObjects({
          kube,
          planned,
          owner,
          dryRun: true,
        });
        ctx.logger.info(
          `Dry run: the apiserver of ${where} accepts ${planned
            .map(o => o.ref)
            .join(', ')}; nothing was changed`,
        );
        ctx.output(
          'objects',
          planned.map(o => o.ref),
        );
        return;
      }

      // Server-side apply is idempotent; the checkpoint also keeps a retried
      // task from applying again what a later step may have changed since.
      const applied = await ctx.checkpoint({
        key: `ml-platform.kubernetes.apply.${clusterName}.${namespace}.${path}`,
        fn: async () => {
          const results = await applyObjects({
            kube,
            planned,
            owner,
            dryRun: false,
          });
          for (const r of results) {
            ctx.logger.info(
              `Applied ${r.ref} to ${where} (resourceVersion ${r.resourceVersion})`,
            );
          }
          return results.map(r => r.ref);
        },
      });

      const wait = ctx.input.waitForReady ?? true;
      if (wait) {
        await waitForReady({
          kube,
          objects: planned,
          timeoutSeconds,
          logger: ctx.logger,
          ...options.readiness,
        });
      }
      ctx.output('objects', applied);
      const start = startedAt
        ? { at: Date.parse(startedAt), resolutionMs: 1 }
        : await readTaskStart({
            discovery: options.discovery,
            auth: options.auth,
            credentials: await ctx.getInitiatorCredentials(),
            taskId: ctx.task.id,
          }).catch(() => undefined);
      if (start === undefined) {
        ctx.logger.warn(
          `Could not read when task ${ctx.task.id} started; no duration to report`,
        );
        return;
      }
      const elapsed = elapsedSince(start, Date.now());
      ctx.logger.info(
        `${elapsed.text} from the start of the run until ${
          wait ? 'ready' : 'applied'
        }`,
      );
      ctx.output('elapsedSeconds', elapsed.atMost);
      if (elapsed.atLeast !== undefined) {
        ctx.output('elapsedSecondsAtLeast', elapsed.atLeast);
      }
      ctx.output('elapsedText', elapsed.text);
    },
  });
}
