import { createHmac, randomUUID } from 'node:crypto';

/**
 * The headers of a delivery signed the way MLflow's webhooks/delivery.py
 * signs, written out apart from verifyMlflowSignature so that a mistake
 * there cannot hide in the tests.
 */
export function mlflowSignedHeaders(
  body: string,
  options: { secret: string; timestamp?: number },
) {
  const deliveryId = randomUUID();
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', options.secret)
    .update(`${deliveryId}.${timestamp}.${body}`)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'x-mlflow-delivery-id': deliveryId,
    'x-mlflow-timestamp': timestamp,
    'x-mlflow-signature': `v1,${signature}`,
  };
}
