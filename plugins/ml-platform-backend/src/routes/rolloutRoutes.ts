import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { serializeError } from '@backstage/errors';
import {
  deploymentRequestFields,
  mlPlatformAuditReadPermission,
  parseRolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import type { Router } from 'express';
import { z } from 'zod/v3';
import { MAX_AUDIT_PAGE, type RolloutAuditStore } from '../services/Audit';
import type { ModelCatalogService } from '../services/ModelCatalog';
import type { ModelOwnership } from '../services/ModelOwnership';
import {
  RolloutConflictError,
  type RolloutService,
} from '../services/Rollouts';
import { actorOf } from '../services/Rollouts/actorOf';
import { authorizeRolloutRequest } from '../services/Rollouts/authorizeRolloutRequest';
import { parse, parseModelName } from './parse';
import { requirePermission } from './requirePermission';

const auditQuery = z
  .object({
    registry: deploymentRequestFields.registryId,
    cluster: deploymentRequestFields.cluster.optional(),
    namespace: deploymentRequestFields.namespace.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
    // An audit record's id.
    before: z.string().min(1).max(16).optional(),
  })
  .strict();

/** `POST /rollouts` and `GET /models/:name/rollouts`. */
export function addRolloutRoutes(
  router: Router,
  options: {
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    ownership: ModelOwnership;
    modelCatalog: ModelCatalogService;
    rollouts: RolloutService;
    audit: RolloutAuditStore;
  },
) {
  const { httpAuth, rollouts, audit } = options;

  router.post('/rollouts', async (req, res) => {
    const body = parseRolloutRequest(req.body);
    const credentials = await httpAuth.credentials(req);
    const { request, details } = await authorizeRolloutRequest({
      ...options,
      request: body,
      credentials,
    });
    try {
      res.json(await rollouts.apply(request, actorOf(credentials), details));
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
    const model = parseModelName(req.params.name);
    const { registry, ...query } = parse(auditQuery, req.query, 'query');
    res.json(
      await audit.list({
        model,
        ...(registry && { registryId: registry }),
        ...query,
      }),
    );
  });
}
