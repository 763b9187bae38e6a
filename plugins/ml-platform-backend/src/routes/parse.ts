import { InputError } from '@backstage/errors';
import { REQUEST_LIMITS } from '@mlplatform/plugin-ml-platform-common';
import { z } from 'zod/v3';

/** Validates a request's query or body; an InputError names each wrong field. */
export function parse<S extends z.ZodTypeAny>(
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

const modelName = z.string().min(1).max(REQUEST_LIMITS.model);

/** The `:name` of a model's path, as long as the API allows. */
export function parseModelName(value: unknown): string {
  return parse(modelName, value, 'model name');
}
