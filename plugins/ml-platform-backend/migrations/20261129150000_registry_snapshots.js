// @ts-check

/**
 * What several backend replicas share so that only one of them reads each
 * model registry per refresh: the serialization verdicts of model versions,
 * which never change, and the last snapshot of every registry, with the
 * claim of the replica reading it now.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ml_platform_safety_verdicts', table => {
    table.comment(
      'The serialization verdict of the MLmodel file of each model version, read once',
    );
    table.string('registry_id').notNullable();
    table.string('model').notNullable().comment('Registered model name');
    table.string('version').notNullable();
    table
      .string('source_key')
      .notNullable()
      .comment(
        'SHA-256 of the version source and creation time: a model deleted and registered again starts over at version 1',
      );
    table.text('verdict').notNullable().comment('JSON: SafetyVerdict');
    table.primary(['registry_id', 'model', 'version', 'source_key']);
  });

  await knex.schema.createTable('ml_platform_registry_snapshots', table => {
    table.comment(
      'The last read of each model registry, which every replica serves from memory',
    );
    table.string('registry_id').primary();
    table
      .bigInteger('generation')
      .notNullable()
      .defaultTo(0)
      .comment('Bumped by every write, so replicas see what changed');
    table
      .text('status')
      .nullable()
      .comment('JSON: ModelRegistryStatus of the last read; null before any');
    table
      .binary('data')
      .nullable()
      .comment('gzip of JSON {models, versions} of the last good read');
    table
      .string('data_hash')
      .nullable()
      .comment('SHA-256 of data, so that an unchanged read is not reloaded');
    table
      .bigInteger('requests')
      .notNullable()
      .defaultTo(0)
      .comment('Reads asked for so far (webhooks, refresh calls)');
    table
      .bigInteger('served')
      .notNullable()
      .defaultTo(0)
      .comment('The value of requests when the last finished read started');
    table
      .string('claim_id')
      .nullable()
      .comment('Set by the replica reading the registry now');
    table
      .timestamp('claimed_until', { useTz: true, precision: 3 })
      .nullable()
      .comment('When a claim of a replica that died mid-read lapses');
    table.timestamp('updated_at', { useTz: true, precision: 3 }).nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ml_platform_registry_snapshots');
  await knex.schema.dropTable('ml_platform_safety_verdicts');
};
