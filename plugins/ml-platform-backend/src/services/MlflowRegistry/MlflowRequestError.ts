import { CustomErrorBase } from '@backstage/errors';

/**
 * MLflow refused or failed a request with a status other than 404 (which is
 * a NotFoundError). Not mapped to the caller's own 401/403: it is the
 * plugin's credentials that MLflow judged, not the caller's.
 */
export class MlflowRequestError extends CustomErrorBase {
  name = 'MlflowRequestError' as const;

  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}
