import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { MlflowEvent, parseMlflowEvent } from './parseMlflowEvent';
import { verifyMlflowSignature } from './verifyMlflowSignature';
import { MlflowWebhookReceiver } from './types';

// Standard Webhooks, whose conventions MLflow follows, suggests five minutes.
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export function createMlflowWebhookReceiver(options: {
  /** The webhook secret of each registry that takes webhooks. */
  secrets: Map<string, string>;
  /** Called for each accepted event that changes the catalog. */
  onCatalogEvent: (registryId: string, event: MlflowEvent) => void;
  logger: LoggerService;
  toleranceSeconds?: number;
  now?: () => number;
}): MlflowWebhookReceiver {
  const { secrets, onCatalogEvent, logger } = options;
  const toleranceSeconds =
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Date.now;
  // Delivery ids accepted within the tolerance window, with when they may be
  // forgotten: a delivery older than that is refused by its timestamp anyway.
  // Only signed deliveries get in, so the map grows with real traffic only.
  const accepted = new Map<string, number>();

  function forgetExpired(nowMs: number) {
    for (const [key, expiresAt] of accepted) {
      if (expiresAt > nowMs) break;
      accepted.delete(key);
    }
  }

  return {
    receive(registryId, delivery) {
      const secret = secrets.get(registryId);
      if (!secret) {
        throw new NotFoundError(
          `No model registry '${registryId}' takes MLflow webhooks`,
        );
      }
      const nowMs = now();
      const { deliveryId } = verifyMlflowSignature(delivery, {
        secret,
        nowSeconds: Math.floor(nowMs / 1000),
        toleranceSeconds,
      });
      const event = parseMlflowEvent(delivery.body);

      forgetExpired(nowMs);
      const key = `${registryId}/${deliveryId}`;
      if (accepted.has(key)) {
        throw new ConflictError(
          `Webhook delivery ${deliveryId} was already received`,
        );
      }
      // Insertion order is expiry order, which forgetExpired relies on.
      accepted.set(key, nowMs + 2 * toleranceSeconds * 1000);

      const name = `${event.entity}.${event.action}`;
      logger.info(
        `MLflow webhook ${name}${
          event.model ? ` of '${event.model}'` : ''
        } for registry ${registryId} (delivery ${deliveryId})`,
      );
      if (event.affectsCatalog) onCatalogEvent(registryId, event);
      return { deliveryId, event: name, refresh: event.affectsCatalog };
    },
  };
}
