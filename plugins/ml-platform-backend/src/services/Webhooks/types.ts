import { MlflowEvent } from './parseMlflowEvent';

/** What the webhook route answers for an accepted delivery. */
export interface AcceptedDelivery {
  deliveryId: string;
  /** e.g. `model_version.created` */
  event: string;
  /** Whether the registry is read again because of it. */
  refresh: boolean;
}

/** Receives MLflow webhook deliveries for the configured registries. */
export interface MlflowWebhookReceiver {
  /**
   * Verifies a delivery for registry `registryId` and, when it changes the
   * catalog, asks for that registry to be read again. Throws NotFoundError
   * for a registry that takes no webhooks, InputError for a malformed
   * delivery, AuthenticationError for a bad signature or stale timestamp,
   * and ConflictError for a delivery id already accepted; none of them
   * changes anything.
   */
  receive(
    registryId: string,
    delivery: {
      deliveryId?: string;
      timestamp?: string;
      signature?: string;
      body: Buffer;
    },
  ): AcceptedDelivery;
}

export type { MlflowEvent };
