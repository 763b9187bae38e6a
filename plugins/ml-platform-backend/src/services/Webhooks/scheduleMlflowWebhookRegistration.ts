import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { MlflowModelRegistry, MlflowRegistryConfig } from '../MlflowRegistry';
import { registerMlflowWebhook } from './registerMlflowWebhook';

/**
 * For each MLflow registry whose webhook config has a `url`, keeps the
 * webhook registered in MLflow: at startup, then every hour, so a webhook
 * deleted or disabled in MLflow comes back. A failure is logged and retried
 * at the next run; it never stops the backend.
 */
export async function scheduleMlflowWebhookRegistration(options: {
  configs: MlflowRegistryConfig[];
  registries: MlflowModelRegistry[];
  scheduler: SchedulerService;
  logger: LoggerService;
}) {
  const { configs, registries, scheduler, logger } = options;
  for (const config of configs) {
    const webhook = config.webhook;
    const url = webhook?.url;
    const registry = registries.find(r => r.id === config.id);
    if (!webhook || !url || !registry) continue;
    let secretWritten = false;
    await scheduler.scheduleTask({
      id: `ml-platform-register-mlflow-webhook-${config.id}`,
      // Every replica would write the same webhook; one is enough.
      scope: 'global',
      frequency: { hours: 1 },
      timeout: { minutes: 1 },
      fn: async () => {
        try {
          const { webhookId, action } = await registerMlflowWebhook({
            client: registry.client,
            name: webhook.name,
            url,
            secret: webhook.secret,
            writeSecret: !secretWritten,
          });
          secretWritten = true;
          if (action !== 'kept') {
            logger.info(
              `MLflow webhook ${webhook.name} (${webhookId}) of registry ${config.id} ${action}: ${url}`,
            );
          }
        } catch (e) {
          logger.warn(
            `Registering the MLflow webhook of registry ${config.id} failed: ${e}`,
          );
        }
      },
    });
  }
}
