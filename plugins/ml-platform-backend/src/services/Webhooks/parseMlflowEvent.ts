import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';
import { CATALOG_WEBHOOK_EVENTS } from './registerMlflowWebhook';

// Payloads spell entities in lower case, the webhooks API in upper case.
const CATALOG_ENTITIES = new Set(
  CATALOG_WEBHOOK_EVENTS.map(e => e.entity.toLowerCase()),
);

/** A verified delivery's event, e.g. `model_version.created` of model `churn`. */
export interface MlflowEvent {
  entity: string;
  action: string;
  /** The registered model the event is about, when it names one. */
  model?: string;
  /** Whether the event changes what the catalog shows. */
  affectsCatalog: boolean;
}

// MLflow wraps every payload the same way; `data` differs per event and only
// its `name` is read here.
const envelope = z.object({
  entity: z.string().min(1),
  action: z.string().min(1),
  timestamp: z.string().optional(),
  data: z.object({ name: z.string().optional() }).passthrough(),
});

export function parseMlflowEvent(body: Buffer): MlflowEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputError('The webhook delivery is not JSON');
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `The webhook delivery is not an MLflow event: ${parsed.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const { entity, action, data } = parsed.data;
  return {
    entity,
    action,
    model: data.name,
    affectsCatalog: CATALOG_ENTITIES.has(entity),
  };
}
