import { ResponseError } from '@backstage/errors';

/**
 * The status and message of a refusal from the ML Platform backend, as the
 * common client reports it, with the answer's body; undefined for any other
 * error (a network error is not a refusal).
 */
export function responseErrorOf(error: unknown):
  | {
      status: number;
      message: string;
      body: Record<string, unknown>;
    }
  | undefined {
  if (!ResponseError.is(error)) return undefined;
  return {
    status: error.statusCode,
    message: error.cause.message || error.statusText || 'no body',
    body: error.body as unknown as Record<string, unknown>,
  };
}
