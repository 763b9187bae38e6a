import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readPublishConfig } from '../publish/readPublishConfig';
import { examples } from './publishTarget.examples';

// GitHub's and GitLab's repository name rules, narrowed to what both accept.
const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Creates the `ml-platform:publish:target` action: tells a template which
 * publish step the company uses (from `mlPlatform.scaffolder.publish`) and
 * the repoUrl that step takes, so one template serves GitHub, GitLab and a
 * portal without an SCM.
 * @public
 */
export function createPublishTargetAction(options: { config: Config }) {
  return createTemplateAction({
    id: 'ml-platform:publish:target',
    description:
      'Returns where the new repository is published, from mlPlatform.scaffolder.publish: the provider (github, gitlab or local) and, for github and gitlab, the repoUrl for publish:github or publish:gitlab.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string().describe('Name of the new repository'),
      },
      output: {
        provider: z =>
          z
            .enum(['github', 'gitlab', 'local'])
            .describe('Which publish step the template runs'),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe(
              '<host>?owner=<owner>&repo=<name>, for github and gitlab',
            ),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      if (!REPO_NAME.test(name)) {
        throw new InputError(
          `name '${name}' cannot be a repository name: use letters, digits, '.', '_' and '-'`,
        );
      }
      const target = readPublishConfig(options.config);
      ctx.output('provider', target.provider);
      if (target.provider === 'local') {
        ctx.logger.info(
          `The repository is published locally, into ${target.directory}`,
        );
        return;
      }
      const repoUrl = `${target.host}?owner=${encodeURIComponent(
        target.owner,
      )}&repo=${encodeURIComponent(name)}`;
      ctx.logger.info(
        `The repository is published to ${target.provider}: ${repoUrl}`,
      );
      ctx.output('repoUrl', repoUrl);
    },
  });
}
