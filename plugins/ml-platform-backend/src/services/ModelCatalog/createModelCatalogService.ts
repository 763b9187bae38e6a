import { LoggerService } from '@backstage/backend-plugin-api';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import {
  ModelRegistryStatus,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import { ModelCatalogService } from './types';

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createModelCatalogService(options: {
  registries: ModelRegistry[];
  logger: LoggerService;
  sourceTimeoutMs: number;
}): ModelCatalogService {
  const { registries, logger, sourceTimeoutMs } = options;
  return {
    async listModels() {
      // One failing registry must not hide the others: each is asked on its own
      // and reported in `registries`.
      const results = await Promise.allSettled(
        registries.map(r =>
          withTimeout(
            r.listModels(),
            sourceTimeoutMs,
            `Model registry ${r.id}`,
          ),
        ),
      );
      const items: RegisteredModel[] = [];
      const statuses: ModelRegistryStatus[] = [];
      results.forEach((result, i) => {
        const { id, type } = registries[i];
        if (result.status === 'fulfilled') {
          items.push(...result.value);
          statuses.push({ id, type, ok: true });
        } else {
          const error = String(result.reason?.message ?? result.reason);
          logger.warn(`Listing models of registry ${id} failed: ${error}`);
          statuses.push({ id, type, ok: false, error });
        }
      });
      items.sort(
        (a, b) =>
          a.name.localeCompare(b.name) ||
          a.registryId.localeCompare(b.registryId),
      );
      return { items, registries: statuses };
    },
  };
}
