import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  REQUEST_LIMITS,
  mlPlatformModelReadPermission,
  mlPlatformRegistryRefreshPermission,
} from '@mlplatform/plugin-ml-platform-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { parse, parseModelName } from './routes/parse';
import { requirePermission } from './routes/requirePermission';
import { addGradualRolloutRoutes } from './routes/gradualRolloutRoutes';
import { addRolloutRoutes } from './routes/rolloutRoutes';
import type {
  CreatorCheck,
  GradualRolloutService,
} from './services/GradualRollouts';
import type { RolloutAuditStore } from './services/Audit';
import type { RolloutService } from './services/Rollouts';
import { ModelCatalogService } from './services/ModelCatalog';
import type { ModelOwnership } from './services/ModelOwnership';
import { ToolsService } from './services/Tools';
import {
  MLFLOW_DELIVERY_ID_HEADER,
  MLFLOW_SIGNATURE_HEADER,
  MLFLOW_TIMESTAMP_HEADER,
  MlflowWebhookReceiver,
} from './services/Webhooks';

const MAX_PAGE = 500;
// MLflow's largest payloads carry a model's tags and description; far below
// this. Larger bodies are refused before anything reads them.
const MAX_WEBHOOK_BODY = '256kb';

const text = (max: number) => z.string().min(1).max(max);

const listQuery = z
  .object({
    search: z.string().trim().min(1).max(REQUEST_LIMITS.search).optional(),
    owner: text(REQUEST_LIMITS.owner).optional(),
    alias: text(REQUEST_LIMITS.alias).optional(),
    cluster: text(REQUEST_LIMITS.cluster).optional(),
    safety: z.enum(['safe', 'unsafe', 'unknown']).optional(),
    deployed: z.enum(['true', 'false']).optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  })
  .strict();

const modelQuery = z
  .object({ registry: text(REQUEST_LIMITS.registryId).optional() })
  .strict();

/** Lets one call through per interval; `take()` answers how long to wait, 0 when let through. */
function intervalLimiter(intervalMs: number) {
  let last = -Infinity;
  return {
    take(): number {
      const now = Date.now();
      const wait = last + intervalMs - now;
      if (wait > 0) return wait;
      last = now;
      return 0;
    },
  };
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  modelCatalog: ModelCatalogService;
  tools: ToolsService;
  mlflowWebhooks: MlflowWebhookReceiver;
  ownership: ModelOwnership;
  rollouts: RolloutService;
  audit: RolloutAuditStore;
  gradualRollouts: GradualRolloutService;
  creatorCheck: CreatorCheck;
  /** The shortest time between two reads that callers of `POST /refresh` start. */
  refreshIntervalMs: number;
}): Promise<express.Router> {
  const { modelCatalog, tools, mlflowWebhooks } = options;
  const router = Router();
  const refreshLimiter = intervalLimiter(options.refreshIntervalMs);

  // Before the JSON parser: the signature covers the exact bytes MLflow sent.
  // MLflow cannot send Backstage tokens, so this route is open to
  // unauthenticated callers (see plugin.ts) and the HMAC signature made with
  // the registry's webhook secret is its only authentication.
  router.post(
    '/webhooks/mlflow/:registryId',
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY }),
    (req, res) => {
      const header = (name: string) => req.get(name) || undefined;
      const registryId = parse(
        text(REQUEST_LIMITS.registryId),
        req.params.registryId,
        'registry id',
      );
      const accepted = mlflowWebhooks.receive(registryId, {
        deliveryId: header(MLFLOW_DELIVERY_ID_HEADER),
        timestamp: header(MLFLOW_TIMESTAMP_HEADER),
        signature: header(MLFLOW_SIGNATURE_HEADER),
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      // MLflow waits for the answer and retries on 5xx: answer before the
      // registry is read.
      res.status(202).json(accepted);
    },
  );

  router.use(express.json());

  const authorize = (req: express.Request, permission: BasicPermission) =>
    requirePermission(options, req, permission);

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/models', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    const { deployed, ...query } = parse(listQuery, req.query, 'query');
    res.json(
      await modelCatalog.listModels({
        ...query,
        deployed: deployed === undefined ? undefined : deployed === 'true',
      }),
    );
  });

  router.get('/models/:name', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    const name = parseModelName(req.params.name);
    const { registry } = parse(modelQuery, req.query, 'query');
    res.json(await modelCatalog.getModel(name, registry));
  });

  router.get('/tools', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    res.json(tools.listTools());
  });

  // Each refresh is a full read of every registry: it has a permission of
  // its own, and this replica starts at most one per interval for callers.
  router.post('/refresh', async (req, res) => {
    await authorize(req, mlPlatformRegistryRefreshPermission);
    const waitMs = refreshLimiter.take();
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      res
        .status(429)
        .set('Retry-After', String(seconds))
        .json({
          error: {
            name: 'TooManyRequestsError',
            message: `The registries were read on request less than ${
              options.refreshIntervalMs / 1000
            } seconds ago; try again in ${seconds} s`,
          },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 429 },
        });
      return;
    }
    await modelCatalog.refresh();
    res.status(204).end();
  });

  addGradualRolloutRoutes(router, options);
  addRolloutRoutes(router, options);

  return router;
}
