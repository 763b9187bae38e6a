import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { readSafetyGatePolicy } from '@mlplatform/plugin-ml-platform-common';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { checkServable } from '../modelVersions/checkServable';
import { getModel } from '../modelVersions/getModel';
import { SERVING_FORMATS } from '../modelVersions/servingFormat';
import { examples } from './modelVersionCheck.examples';

/**
 * Creates the `ml-platform:model-version:check` action: makes sure a model
 * version exists, is ready and loads without unpickling, as the user who
 * started the task sees it in the portal, and returns what a model service
 * needs to fetch and load it.
 * @public
 */
export function createModelVersionCheckAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Where `mlPlatform.safety.allowUnknown` is read from; nowhere allows unknown without it. */
  config?: Config;
}) {
  const policy = options.config
    ? readSafetyGatePolicy(options.config)
    : { allowUnknown: [] };
  return createTemplateAction({
    id: 'ml-platform:model-version:check',
    description:
      "Checks that an MLflow model version exists, is READY, passes the serving gate (its verdict, read from the artifact's files, is safe; unknown only where mlPlatform.safety.allowUnknown names the target cluster or namespace) and is stored in a format the service loads, and returns its serialization format, aliases and source. Fails with the reason otherwise. Reads only, so it runs in dry runs too.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        model: z => z.string().min(1).describe('Registered model name'),
        version: z =>
          z
            .union([z.string(), z.number()])
            .describe('Registered model version, e.g. 5'),
        registry: z =>
          z
            .string()
            .optional()
            .describe(
              'Configured registry id; needed only when several registries have the model',
            ),
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              'Cluster the service will run in, for the serving gate; without it (and namespace) only safe versions pass',
            ),
        namespace: z =>
          z
            .string()
            .optional()
            .describe(
              'Namespace the service will run in, for the serving gate',
            ),
        formats: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Serialization formats the generated service can load, e.g. [onnx, skops]; another is refused with the reason',
            ),
      },
      output: {
        registry: z => z.string().describe('Registry id the model is in'),
        model: z => z.string().describe('Registered model name'),
        version: z => z.string().describe('The version, as a string'),
        format: z =>
          z
            .enum(SERVING_FORMATS)
            .describe(
              'Serialization format: onnx, skops, safetensors, or the framework flavor such as xgboost',
            ),
        safety: z =>
          z
            .string()
            .describe(
              'Safety verdict: safe, or unknown where config allows it',
            ),
        aliases: z =>
          z.array(z.string()).describe('Aliases pointing at the version'),
        modelUri: z => z.string().describe('models:/<model>/<version>'),
        source: z =>
          z.string().describe('Where the registry copied the artifacts from'),
        runId: z =>
          z.string().optional().describe('MLflow run that logged the version'),
        checkedAt: z =>
          z.string().describe('ISO time of the check, the start of the run'),
      },
    },
    async handler(ctx) {
      const checkedAt = new Date().toISOString();
      const { model } = ctx.input;
      // A form without a registry choice renders the parameter as ''.
      const registry = ctx.input.registry || undefined;
      const version = String(ctx.input.version).trim();
      if (!/^[1-9][0-9]*$/.test(version)) {
        throw new InputError(
          `version '${version}' is not an MLflow model version (a positive integer)`,
        );
      }

      const details = await getModel({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
        model,
        registry,
      });
      const { cluster, namespace } = ctx.input;
      const found = checkServable(details, version, {
        policy,
        target: cluster && namespace ? { cluster, namespace } : undefined,
        formats: ctx.input.formats,
      });
      const { format } = found;
      const safety = found.safety?.safety ?? 'unknown';

      ctx.logger.info(
        `Model version ${model}/${version} is ${
          found.status
        } and may serve (${safety}, ${format}): ${
          found.safety?.reason ?? found.safetyError
        }`,
      );
      ctx.output('registry', found.registryId);
      ctx.output('model', found.name);
      ctx.output('version', found.version);
      ctx.output('format', format);
      ctx.output('safety', safety);
      ctx.output('aliases', found.aliases);
      ctx.output('modelUri', `models:/${found.name}/${found.version}`);
      ctx.output('source', found.source ?? '');
      if (found.run?.runId) ctx.output('runId', found.run.runId);
      ctx.output('checkedAt', checkedAt);
    },
  });
}
