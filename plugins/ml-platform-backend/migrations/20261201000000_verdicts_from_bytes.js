// @ts-check

/**
 * Verdicts read from the artifact's bytes: which classifier made each one
 * (verdicts of an older classifier are judged again), the listing of files
 * it was made from (a changed listing is judged again) and when the files
 * were last listed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ml_platform_safety_verdicts', table => {
    table
      .string('classifier')
      .nullable()
      .comment(
        'Version of the classifier that made the verdict; null: MLmodel only, before bytes were read',
      );
    table
      .text('files_fingerprint')
      .nullable()
      .comment(
        'SHA-256 of the sorted paths and sizes of the files the verdict was made from',
      );
    table
      .timestamp('checked_at', { useTz: true, precision: 3 })
      .nullable()
      .comment('When the files were last listed');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ml_platform_safety_verdicts', table => {
    table.dropColumn('classifier');
    table.dropColumn('files_fingerprint');
    table.dropColumn('checked_at');
  });
};
