// @ts-check

/**
 * Gradual rollouts: a schedule of canary steps per deployment, run by
 * whichever backend replica the scheduler picks. The row is the only state,
 * so a restart continues where the last replica stopped.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ml_platform_gradual_rollouts', table => {
    table.comment('Gradual rollouts and how far each has got');
    table.string('id').primary().comment('UUID');
    table.string('model').notNullable().comment('Registered model name');
    table
      .string('registry_id')
      .notNullable()
      .defaultTo('')
      .comment("The model's registry id, '' when the request named none");
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('target_version').notNullable();
    table
      .text('steps')
      .notNullable()
      .comment('JSON: [{percent, waitSeconds}], the last at 100');
    table
      .integer('current_step')
      .notNullable()
      .comment('Index of the last applied step, -1 before the first');
    table
      .string('state')
      .notNullable()
      .comment('running, paused, succeeded, aborted or failed');
    table.string('created_by').notNullable().comment('Entity ref');
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    table
      .timestamp('next_step_at', { useTz: true, precision: 3 })
      .nullable()
      .comment('When the next step is due; null once finished');
    table
      .string('claim_id')
      .nullable()
      .comment('Set by the runner applying the next step, cleared after');
    table
      .timestamp('claimed_at', { useTz: true, precision: 3 })
      .nullable()
      .comment('When the step in progress was claimed');
    table.text('error').nullable().comment('Why it failed');
    table.index(
      ['model', 'cluster', 'namespace', 'state'],
      'ml_gradual_rollouts_deployment_idx',
    );
    table.index(['state', 'next_step_at'], 'ml_gradual_rollouts_due_idx');
  });
  // One unfinished gradual rollout per deployment, even when two replicas
  // start one at the same moment. PostgreSQL and SQLite both have partial
  // indexes.
  await knex.raw(
    `CREATE UNIQUE INDEX ml_gradual_rollouts_one_active_idx
       ON ml_platform_gradual_rollouts (model, cluster, namespace)
       WHERE state IN ('running', 'paused')`,
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ml_platform_gradual_rollouts');
};
