import { MlflowClient } from '../MlflowRegistry';
import { MlflowWebhook, MlflowWebhookEvent } from '../MlflowRegistry/types';

/** Every registry event that changes what the catalog shows. */
export const CATALOG_WEBHOOK_EVENTS: MlflowWebhookEvent[] = [
  { entity: 'REGISTERED_MODEL', action: 'CREATED' },
  { entity: 'MODEL_VERSION', action: 'CREATED' },
  { entity: 'MODEL_VERSION_TAG', action: 'SET' },
  { entity: 'MODEL_VERSION_TAG', action: 'DELETED' },
  { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' },
  { entity: 'MODEL_VERSION_ALIAS', action: 'DELETED' },
];

const DESCRIPTION =
  'Tells the Backstage ML Platform plugin to read this registry again';

const eventKey = (e: MlflowWebhookEvent) => `${e.entity}.${e.action}`;

function isUpToDate(webhook: MlflowWebhook, name: string, url: string) {
  const events = new Set((webhook.events ?? []).map(eventKey));
  return (
    webhook.name === name &&
    webhook.url === url &&
    webhook.status === 'ACTIVE' &&
    events.size === CATALOG_WEBHOOK_EVENTS.length &&
    CATALOG_WEBHOOK_EVENTS.every(e => events.has(eventKey(e)))
  );
}

/**
 * Makes sure MLflow has exactly one webhook of ours: found by name, else by
 * URL, and updated in place; created only when there is none. MLflow never
 * returns a webhook's secret, so `writeSecret` says whether to write it
 * anyway (once per process, in case the configured one changed).
 */
export async function registerMlflowWebhook(options: {
  client: MlflowClient;
  name: string;
  url: string;
  secret: string;
  writeSecret: boolean;
}): Promise<{ webhookId: string; action: 'created' | 'updated' | 'kept' }> {
  const { client, name, url, secret, writeSecret } = options;
  const webhooks = await client.listWebhooks();
  const existing =
    webhooks.find(w => w.name === name) ?? webhooks.find(w => w.url === url);
  if (!existing) {
    const created = await client.createWebhook({
      name,
      url,
      events: CATALOG_WEBHOOK_EVENTS,
      secret,
      status: 'ACTIVE',
      description: DESCRIPTION,
    });
    return { webhookId: created.webhook_id, action: 'created' };
  }
  if (!writeSecret && isUpToDate(existing, name, url)) {
    return { webhookId: existing.webhook_id, action: 'kept' };
  }
  await client.updateWebhook(existing.webhook_id, {
    name,
    url,
    events: CATALOG_WEBHOOK_EVENTS,
    status: 'ACTIVE',
    ...(writeSecret ? { secret } : {}),
  });
  return { webhookId: existing.webhook_id, action: 'updated' };
}
