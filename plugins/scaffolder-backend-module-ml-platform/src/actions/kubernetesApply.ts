import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { isDns1123Label } from '@mlplatform/plugin-ml-platform-common';
import {
  readClusters,
  type ConfiguredCluster,
} from '@mlplatform/plugin-ml-platform-node';
import { applyObjects, planObjects } from '../kubernetes/applyManifests';
import { createKubeHttp } from '../kubernetes/createKubeHttp';
import { readApplyConfig } from '../kubernetes/readApplyConfig';
import { readManifests } from '../kubernetes/readManifests';
import { createResourceResolver } from '../kubernetes/resolveResource';
import { waitForReady } from '../kubernetes/waitForReady';
import { readTaskStart } from '../scaffolder/readTaskStart';
import { examples } from './kubernetesApply.examples';

const DEFAULT_TIMEOUT_SECONDS = 300;

function usableCluster(clusters: ConfiguredCluster[], name: string) {
  const cluster = clusters.find(c => c.name === name);
  if (!cluster) {
    const known = clusters.map(c => `'${c.name}'`).join(', ') || 'none';
    throw new InputError(
      `No kubernetes cluster named '${name}' is configured (configured: ${known})`,
    );
  }
  if (!cluster.usable) throw new InputError(cluster.error);
  return cluster;
}

/**
 * Creates the `ml-platform:kubernetes:apply` action: server-side applies a
 * new service's manifests to one namespace of a configured cluster, with the
 * portal's credentials for that cluster, and waits until its workloads are
 * available.
 * @public
 */
export function createKubernetesApplyAction(options: {
  config: Config;
  logger: LoggerService;
  discovery: DiscoveryService;
  auth: AuthService;
  /** How often readiness is read, and how long a Rollout may go without a controller. */
  readiness?: { pollMs?: number; unwatchedAfterMs?: number };
}) {
  const clusters = readClusters(options.config, options.logger);
  const { allowedNamespaces } = readApplyConfig(options.config);

  return createTemplateAction({
    id: 'ml-platform:kubernetes:apply',
    description:
      'Server-side applies the YAML manifests of the workspace to one namespace of a configured Kubernetes cluster (field manager ml-platform-scaffolder). Every object is validated by the apiserver (dryRun=All) before any is applied, so a bad object applies nothing; cluster-scoped objects and objects of another namespace are refused. In a dry run only the validation is sent. Then waits for the Deployments and Argo Rollouts to be available.',
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
              'Seconds from startedAt (by default the creation of the task) until the objects were applied and ready',
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
      if (allowedNamespaces && !allowedNamespaces.includes(namespace)) {
        throw new InputError(
          `Templates may not apply to namespace '${namespace}'; allowed: ${allowedNamespaces.join(
            ', ',
          )}`,
        );
      }
      const cluster = usableCluster(clusters, clusterName);
      const kube = createKubeHttp(cluster);
      const manifests = await readManifests(ctx.workspacePath, path);
      const planned = await planObjects(
        manifests,
        namespace,
        createResourceResolver(kube, clusterName),
      );
      const where = `cluster '${clusterName}'`;

      if (ctx.isDryRun) {
        await applyObjects({
          kube,
          cluster: clusterName,
          planned,
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
            cluster: clusterName,
            planned,
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
        ? Date.parse(startedAt)
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
      const elapsedSeconds = Math.round((Date.now() - start) / 100) / 10;
      ctx.logger.info(
        `${elapsedSeconds}s from the start of the run until ${
          wait ? 'ready' : 'applied'
        }`,
      );
      ctx.output('elapsedSeconds', elapsedSeconds);
    },
  });
}
