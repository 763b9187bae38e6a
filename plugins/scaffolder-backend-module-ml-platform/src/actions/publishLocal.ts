import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { isDns1123Label } from '@mlplatform/plugin-ml-platform-common';
import { readEntityRef } from '../publish/readEntityRef';
import { readPublishConfig } from '../publish/readPublishConfig';
import { registerFileLocation } from '../publish/registerFileLocation';
import { examples } from './publishLocal.examples';

const CATALOG_INFO = 'catalog-info.yaml';

/**
 * Creates the `ml-platform:publish:local` action: for a portal without an SCM
 * server (the demo), copies the new repository into the configured directory
 * and registers its catalog-info.yaml as a `file` location, as the user who
 * started the task.
 * @public
 */
export function createPublishLocalAction(options: {
  config: Config;
  catalog: CatalogService;
}) {
  return createTemplateAction({
    id: 'ml-platform:publish:local',
    description:
      'Copies the workspace (or sourcePath in it) to <mlPlatform.scaffolder.publish.directory>/<name> and registers its catalog-info.yaml in the catalog as a file location, as the user running the template. Only when mlPlatform.scaffolder.publish.provider is local. A dry run writes and registers nothing.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string().describe('Name of the new repository, its directory'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace-relative directory to publish; defaults to the workspace',
            ),
      },
      output: {
        remoteUrl: z =>
          z.string().describe('Absolute directory of the new repository'),
        entityRef: z =>
          z.string().describe('The entity of its catalog-info.yaml'),
        catalogInfoPath: z =>
          z
            .string()
            .describe('Absolute path of the registered catalog-info.yaml'),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      if (!isDns1123Label(name)) {
        throw new InputError(
          `name '${name}' is not a DNS-1123 label: use at most 63 lowercase letters, digits and '-'`,
        );
      }
      const target = readPublishConfig(options.config);
      if (target.provider !== 'local') {
        throw new InputError(
          `mlPlatform.scaffolder.publish.provider is ${target.provider}, not local: publish with publish:${target.provider}`,
        );
      }
      const source = resolveSafeChildPath(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
      );
      const remoteUrl = path.join(target.directory, name);
      const catalogInfoPath = path.join(remoteUrl, CATALOG_INFO);
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('catalogInfoPath', catalogInfoPath);

      if (ctx.isDryRun) {
        const entityRef = await readEntityRef(path.join(source, CATALOG_INFO));
        ctx.logger.info(
          `Dry run: would copy the repository to ${remoteUrl} and register ${entityRef}`,
        );
        ctx.output('entityRef', entityRef);
        return;
      }

      await ctx.checkpoint({
        key: `ml-platform.publish.local.copy.${remoteUrl}`,
        fn: async () => {
          const exists = await fs.stat(remoteUrl).catch(() => undefined);
          if (exists) {
            throw new ConflictError(
              `${remoteUrl} already exists: choose another name, or delete it and its catalog entity`,
            );
          }
          await fs.mkdir(target.directory, { recursive: true });
          await fs.cp(source, remoteUrl, { recursive: true });
          ctx.logger.info(`Copied the repository to ${remoteUrl}`);
        },
      });
      const entityRef = await readEntityRef(catalogInfoPath);
      const outcome = await ctx.checkpoint({
        key: `ml-platform.publish.local.register.${catalogInfoPath}`,
        fn: async () =>
          registerFileLocation({
            catalog: options.catalog,
            credentials: await ctx.getInitiatorCredentials(),
            target: catalogInfoPath,
            entityRef,
          }),
      });
      ctx.logger.info(`${entityRef}: ${outcome} in the catalog`);
      ctx.output('entityRef', entityRef);
    },
  });
}
