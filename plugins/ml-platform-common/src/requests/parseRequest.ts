import { InputError } from '@backstage/errors';
import type { z } from 'zod/v3';

/**
 * Validates a request's query or body with its schema; an InputError names
 * each wrong field, and nothing is done with the request.
 * @public
 */
export function parseRequest<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map(i =>
        i.code === 'unrecognized_keys'
          ? `unknown ${what === 'body' ? 'field' : 'parameter'} ${i.keys.join(
              ', ',
            )}`
          : `${i.path.join('.') || what}: ${i.message}`,
      )
      .join('; ');
    throw new InputError(`Invalid ${what}: ${issues}`);
  }
  return parsed.data;
}
