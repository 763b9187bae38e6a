export { batchRefreshes } from './batchRefreshes';
export { createMlflowWebhookReceiver } from './createMlflowWebhookReceiver';
export type { AcceptedDelivery, MlflowWebhookReceiver } from './types';
export {
  MLFLOW_DELIVERY_ID_HEADER,
  MLFLOW_SIGNATURE_HEADER,
  MLFLOW_TIMESTAMP_HEADER,
} from './verifyMlflowSignature';
export { scheduleMlflowWebhookRegistration } from './scheduleMlflowWebhookRegistration';
