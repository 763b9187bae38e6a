// @ts-check

/**
 * The first moment each model version was seen serving traffic, for the
 * deployment lead time (registration in the registry to first traffic).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ml_platform_first_serving', table => {
    table.comment(
      'The earliest moment each model version was seen with traffic > 0',
    );
    // Not nullable: a unique key treats NULLs as distinct in both PostgreSQL
    // and SQLite, so '' stands for "the deployment named no registry".
    table
      .string('registry_id')
      .notNullable()
      .defaultTo('')
      .comment("The deployment's registry id, '' when it names none");
    table.string('model').notNullable().comment('Registered model name');
    table.string('version').notNullable().comment('Model version');
    table
      .timestamp('first_serving_at', { useTz: true })
      .notNullable()
      .comment('The earliest moment the version was seen serving traffic');
    table
      .string('cluster')
      .notNullable()
      .comment('Where it was seen serving at first_serving_at');
    table
      .string('namespace')
      .notNullable()
      .comment('Where it was seen serving at first_serving_at');
    table.primary(['registry_id', 'model', 'version']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ml_platform_first_serving');
};
