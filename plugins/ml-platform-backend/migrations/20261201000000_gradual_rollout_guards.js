// @ts-check

/**
 * What each step of a gradual rollout checks before it writes: the traffic
 * object as the previous step left it (a write by anyone else since pauses
 * the rollout instead of being overwritten), and the permission its creator
 * had, applied again to the model's entities as they are at the step.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ml_platform_gradual_rollouts', table => {
    table
      .string('last_resource_version')
      .nullable()
      .comment(
        "The traffic object's resourceVersion after the last applied step; null before the first and after a resume",
      );
    table
      .text('last_split')
      .nullable()
      .comment('JSON: the split the last applied step left');
    table
      .text('creator_authorization')
      .nullable()
      .comment(
        "JSON: the permission policy's decision for the creator at the start, applied again at every step",
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ml_platform_gradual_rollouts', table => {
    table.dropColumn('last_resource_version');
    table.dropColumn('last_split');
    table.dropColumn('creator_authorization');
  });
};
