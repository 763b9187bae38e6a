import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { checkOwner, type OwnerCheckServices } from '../ownership/checkOwner';
import { examples } from './ownerCheck.examples';

/**
 * Creates the `ml-platform:owner:check` action: refuses an owner that is not
 * one of the groups of the user who runs the template, read from the catalog
 * as that user (the permission `ml-platform.scaffolder.any-owner` lifts the
 * limit, for the platform team), and returns the owner's full reference.
 * @public
 */
export function createOwnerCheckAction(options: OwnerCheckServices) {
  return createTemplateAction({
    id: 'ml-platform:owner:check',
    description:
      "Checks that the chosen owner is a group (or user) of the catalog that the user running the template belongs to (or is), read from the catalog as that user; members of the groups that the permission policy grants ml-platform.scaffolder.any-owner may choose any. Fails with the user's groups otherwise. Reads only, so it runs in dry runs too.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        owner: z =>
          z
            .string()
            .min(1)
            .max(255)
            .describe(
              'Entity reference of the owner, e.g. group:default/fraud-ml; a bare name is a group of the default namespace',
            ),
      },
      output: {
        owner: z =>
          z
            .string()
            .describe('The full entity reference, e.g. group:default/fraud-ml'),
        name: z =>
          z.string().describe("The owner entity's name, e.g. fraud-ml"),
      },
    },
    async handler(ctx) {
      const checked = await checkOwner(
        options,
        await ctx.getInitiatorCredentials(),
        ctx.input.owner,
      );
      ctx.logger.info(`${checked.ref} may own the new service`);
      ctx.output('owner', checked.ref);
      ctx.output('name', checked.name);
    },
  });
}
