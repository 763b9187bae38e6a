// @ts-check

/**
 * The audit trail of rollouts: every attempt to change a deployment's
 * traffic, who made it, what the split was before and after, and how it
 * ended.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ml_platform_rollout_audit', table => {
    table.comment('Every attempted rollout, succeeded or not');
    // A sequence, not a time, orders the trail: attempts of several replicas
    // within one millisecond still come out in the order they were written.
    table.bigIncrements('id').comment('Order of the attempts');
    table
      .timestamp('at', { useTz: true, precision: 3 })
      .notNullable()
      .comment('When the attempt was made');
    table
      .string('actor')
      .notNullable()
      .comment('Entity ref of who asked, e.g. user:default/jane');
    table.string('model').notNullable().comment('Registered model name');
    table
      .string('registry_id')
      .notNullable()
      .defaultTo('')
      .comment("The model's registry id, '' when the deployment names none");
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('router_kind').nullable().comment('e.g. HTTPRoute');
    table.string('router_name').nullable();
    table
      .string('strategy')
      .notNullable()
      .comment('split, canary, promote, rollback, abort or retry');
    table
      .text('before')
      .nullable()
      .comment('JSON: the split read right before the write');
    table
      .text('after')
      .nullable()
      .comment('JSON: the split written, or asked for when not written');
    table
      .string('result')
      .notNullable()
      .comment('succeeded, failed, conflict or refused');
    table.text('error').nullable().comment('Why it did not succeed');
    table
      .text('alias_change')
      .nullable()
      .comment('JSON: a registry alias moved with the rollout');
    table.index(
      ['model', 'cluster', 'namespace', 'id'],
      'ml_rollout_audit_deployment_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ml_platform_rollout_audit');
};
