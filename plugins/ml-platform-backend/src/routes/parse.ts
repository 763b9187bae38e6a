import {
  REQUEST_LIMITS,
  parseRequest,
} from '@mlplatform/plugin-ml-platform-common';
import { z } from 'zod/v3';

/** The one validation of a query or body, from the common package. */
export const parse = parseRequest;

const modelName = z.string().min(1).max(REQUEST_LIMITS.model);

/** The `:name` of a model's path, as long as the API allows. */
export function parseModelName(value: unknown): string {
  return parse(modelName, value, 'model name');
}
