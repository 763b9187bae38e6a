import { createHash } from 'node:crypto';

/** The registry id whose models get entity names without a registry prefix. */
const DEFAULT_REGISTRY_ID = 'mlflow';

const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

function shortHash(registryId: string, name: string): string {
  return createHash('sha256')
    .update(`${registryId}/${name}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
}

/**
 * The catalog `metadata.name` of the entity for a registered model.
 *
 * - The model name, prefixed with `<registry id>-` unless the registry is the
 *   default one (`mlflow`).
 * - Lower-cased; every run of characters other than `a-z`, `0-9`, `-`, `_`
 *   and `.` becomes `-`, runs of separators become one `-`, and separators
 *   are trimmed from both ends.
 * - When that loses more than letter case, or the result is longer than 63
 *   characters, or `disambiguate` is set (two models would otherwise get the
 *   same name), it is cut to fit and `-<8 hex digits>` of a SHA-256 of
 *   `<registry id>/<model name>` is appended, so the name stays unique and
 *   stable.
 */
export function modelEntityName(
  registryId: string,
  name: string,
  options?: { disambiguate?: boolean },
): string {
  const base =
    registryId === DEFAULT_REGISTRY_ID ? name : `${registryId}-${name}`;
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '');
  const lossy = slug !== base.toLowerCase();
  if (
    !lossy &&
    !options?.disambiguate &&
    slug.length > 0 &&
    slug.length <= MAX_NAME_LENGTH
  ) {
    return slug;
  }
  const head = slug
    .slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)
    .replace(/[-_.]+$/, '');
  const hash = shortHash(registryId, name);
  return head ? `${head}-${hash}` : hash;
}
