import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { serializeError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MAX_ROLLOUT_WEIGHT,
  mlPlatformAuditReadPermission,
  ROLLOUT_STRATEGIES,
  type RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import type { Router } from 'express';
import { z } from 'zod/v3';
import { MAX_AUDIT_PAGE, type RolloutAuditStore } from '../services/Audit';
import type { ModelCatalogService } from '../services/ModelCatalog';
import {
  RolloutConflictError,
  type RolloutService,
} from '../services/Rollouts';
import { actorOf } from '../services/Rollouts/actorOf';
import { authorizeRolloutRequest } from '../services/Rollouts/authorizeRolloutRequest';
import { deploymentFields, name } from './deploymentFields';
import { parse } from './parse';
import { requirePermission } from './requirePermission';

const rolloutBody = z
  .object({
    ...deploymentFields,
    strategy: z.enum(ROLLOUT_STRATEGIES),
    weights: z
      .record(name, z.number().int().min(0).max(MAX_ROLLOUT_WEIGHT))
      .optional(),
    target: z
      .object({
        version: name,
        percent: z.number().int().min(0).max(100).optional(),
      })
      .strict()
      .optional(),
    nextStepOnly: z.boolean().optional(),
    expectedResourceVersion: name.optional(),
  })
  .strict();

const auditQuery = z
  .object({
    registry: name.optional(),
    cluster: name.optional(),
    namespace: name.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
    before: z.string().min(1).optional(),
  })
  .strict();

/** `POST /rollouts` and `GET /models/:name/rollouts`. */
export function addRolloutRoutes(
  router: Router,
  options: {
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    catalog: CatalogService;
    modelCatalog: ModelCatalogService;
    rollouts: RolloutService;
    audit: RolloutAuditStore;
  },
) {
  const { httpAuth, rollouts, audit } = options;

  router.post('/rollouts', async (req, res) => {
    const body = parse(rolloutBody, req.body, 'body') as RolloutRequest;
    const credentials = await httpAuth.credentials(req);
    const request = await authorizeRolloutRequest({
      ...options,
      request: body,
      credentials,
    });
    try {
      res.json(await rollouts.apply(request, actorOf(credentials)));
    } catch (error) {
      if (!(error instanceof RolloutConflictError)) throw error;
      // Backstage's error body, plus the split as it is now, so the caller
      // can decide again without another read.
      res.status(409).json({
        error: { ...serializeError(error), stack: undefined },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 409 },
        ...(error.current && { current: error.current }),
        ...(error.resourceVersion && {
          resourceVersion: error.resourceVersion,
        }),
      });
    }
  });

  router.get('/models/:name/rollouts', async (req, res) => {
    await requirePermission(options, req, mlPlatformAuditReadPermission);
    const { registry, ...query } = parse(auditQuery, req.query, 'query');
    res.json(
      await audit.list({
        model: req.params.name,
        ...(registry && { registryId: registry }),
        ...query,
      }),
    );
  });
}
