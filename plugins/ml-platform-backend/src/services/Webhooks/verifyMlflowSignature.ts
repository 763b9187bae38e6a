import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, InputError } from '@backstage/errors';

/** The headers MLflow 3.x sends with every webhook delivery. */
export const MLFLOW_DELIVERY_ID_HEADER = 'x-mlflow-delivery-id';
export const MLFLOW_TIMESTAMP_HEADER = 'x-mlflow-timestamp';
export const MLFLOW_SIGNATURE_HEADER = 'x-mlflow-signature';

const SIGNATURE_VERSION = 'v1';

/** A delivery as it reached the route: the raw body and MLflow's headers. */
export interface MlflowDelivery {
  deliveryId?: string;
  /** Unix seconds at which MLflow signed the delivery. */
  timestamp?: string;
  /** `v1,<base64 HMAC-SHA256>`; several may be separated by spaces. */
  signature?: string;
  body: Buffer;
}

/**
 * Checks a delivery exactly as MLflow signs it: HMAC-SHA256 with the
 * webhook's secret over `{delivery id}.{timestamp}.{body}`, base64, prefixed
 * `v1,`. The body must be the bytes received: re-serialized JSON would differ
 * from what MLflow signed.
 *
 * A delivery older or further in the future than `toleranceSeconds` is
 * refused even with a valid signature, so a recorded one cannot be replayed
 * later. Throws InputError for a malformed delivery and AuthenticationError
 * for one that is not signed with the secret or is stale.
 */
export function verifyMlflowSignature(
  delivery: MlflowDelivery,
  options: { secret: string; nowSeconds: number; toleranceSeconds: number },
): { deliveryId: string; timestamp: number } {
  const { deliveryId, timestamp, signature, body } = delivery;
  if (!deliveryId || !timestamp) {
    throw new InputError(
      `A webhook delivery needs the ${MLFLOW_DELIVERY_ID_HEADER} and ${MLFLOW_TIMESTAMP_HEADER} headers`,
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new InputError(
      `${MLFLOW_TIMESTAMP_HEADER} must be Unix seconds, got '${timestamp.slice(
        0,
        40,
      )}'`,
    );
  }
  if (!signature) {
    throw new AuthenticationError(
      `The webhook delivery is not signed (no ${MLFLOW_SIGNATURE_HEADER} header)`,
    );
  }

  const expected = createHmac('sha256', options.secret)
    .update(`${deliveryId}.${timestamp}.`)
    .update(body)
    .digest();
  // MLflow sends one signature; the Standard Webhooks format it follows
  // allows several (space-separated, e.g. while a secret rotates), and one
  // matching is enough.
  const valid = signature.split(' ').some(candidate => {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== SIGNATURE_VERSION || !encoded) return false;
    const given = Buffer.from(encoded, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) {
    throw new AuthenticationError(
      'The webhook signature does not match the configured secret',
    );
  }

  // Checked after the signature, so that only someone who holds the secret
  // learns how far off their clock is.
  const signedAt = Number(timestamp);
  if (Math.abs(options.nowSeconds - signedAt) > options.toleranceSeconds) {
    throw new AuthenticationError(
      `The webhook delivery was signed at ${signedAt}, more than ${options.toleranceSeconds} s from now (${options.nowSeconds})`,
    );
  }
  return { deliveryId, timestamp: signedAt };
}
