import { InputError } from '@backstage/errors';

/**
 * The serialization formats a template may name: the formats that load
 * without unpickling. The name goes into generated files (a catalog tag,
 * the README), so it is one of these words, never the MLmodel's own text.
 */
export const SERVING_FORMATS = [
  'onnx',
  'skops',
  'safetensors',
  'xgboost',
  'lightgbm',
  'catboost',
  'tensorflow',
  'keras',
] as const;

/** One of {@link SERVING_FORMATS}. */
export type ServingFormat = (typeof SERVING_FORMATS)[number];

/**
 * The format as one of {@link SERVING_FORMATS}, or a refusal: a format read
 * from a flavor name is written by the model's author, and is quoted in the
 * message, never rendered.
 */
export function asServingFormat(format: string): ServingFormat {
  if ((SERVING_FORMATS as readonly string[]).includes(format)) {
    return format as ServingFormat;
  }
  throw new InputError(
    `The model's flavor ${JSON.stringify(
      format,
    )} is not a format a model service serves (${SERVING_FORMATS.join(', ')})`,
  );
}
