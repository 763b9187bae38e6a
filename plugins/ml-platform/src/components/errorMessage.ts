import { ResponseError } from '@backstage/errors';

/** The backend's own sentence for a refused request, without the HTTP preamble. */
export const errorMessage = (error: Error): string =>
  ResponseError.is(error)
    ? error.body?.error?.message ?? error.message
    : error.message;
