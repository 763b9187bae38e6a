import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  deploymentRequestFields,
  mlPlatformModelReadPermission,
  parseGradualRolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import { NotFoundError } from '@backstage/errors';
import type { Request, Router } from 'express';
import { z } from 'zod/v3';
import type {
  CreatorCheck,
  GradualRolloutService,
} from '../services/GradualRollouts';
import type { ModelCatalogService } from '../services/ModelCatalog';
import type { ModelOwnership } from '../services/ModelOwnership';
import type { RolloutService } from '../services/Rollouts';
import { actorOf } from '../services/Rollouts/actorOf';
import { authorizeRollout } from '../services/Rollouts/authorizeRollout';
import { authorizeRolloutRequest } from '../services/Rollouts/authorizeRolloutRequest';
import { parse, parseModelName } from './parse';
import { requirePermission } from './requirePermission';

const listQuery = z
  .object({
    cluster: deploymentRequestFields.cluster.optional(),
    namespace: deploymentRequestFields.namespace.optional(),
  })
  .strict();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A gradual rollout's id from the path: the UUID the backend gave it, as
 * anything else names no gradual rollout (and is not looked up).
 */
function gradualId(value: string): string {
  if (!UUID.test(value)) {
    throw new NotFoundError(
      `No gradual rollout with id '${value.slice(0, 64)}'`,
    );
  }
  return value;
}

/**
 * The gradual rollout routes. Starting one and acting on one need the same
 * permission as a rollout, on the model's entity; for an id, the entity of
 * the gradual rollout's own model. Reading progress needs only the model
 * read permission.
 */
export function addGradualRolloutRoutes(
  router: Router,
  options: {
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    ownership: ModelOwnership;
    modelCatalog: ModelCatalogService;
    rollouts: RolloutService;
    gradualRollouts: GradualRolloutService;
    creatorCheck: CreatorCheck;
  },
) {
  const { httpAuth, gradualRollouts, creatorCheck } = options;

  // Progress is for everyone who may see the model, as its page is.
  const authorizeRead = (req: Request) =>
    requirePermission(options, req, mlPlatformModelReadPermission);

  router.post('/rollouts/gradual', async (req, res) => {
    const body = parseGradualRolloutRequest(req.body);
    const credentials = await httpAuth.credentials(req);
    const { request } = await authorizeRolloutRequest({
      ...options,
      // Recorded as what its first step is, should the check refuse it.
      request: {
        ...body,
        strategy: 'canary',
        target: {
          version: body.target.version,
          percent: body.steps[0].percent,
        },
      },
      credentials,
    });
    res
      .status(201)
      .json(
        await gradualRollouts.start(
          { ...body, registryId: request.registryId },
          actorOf(credentials),
          await creatorCheck.capture(credentials),
        ),
      );
  });

  router.get('/rollouts/gradual/:id', async (req, res) => {
    await authorizeRead(req);
    res.json(await gradualRollouts.get(gradualId(req.params.id)));
  });

  for (const action of ['pause', 'resume', 'abort'] as const) {
    router.post(`/rollouts/gradual/:id/${action}`, async (req, res) => {
      const id = gradualId(req.params.id);
      const credentials = await httpAuth.credentials(req);
      const rollout = await gradualRollouts.get(id);
      // Changes no traffic by itself, so a refusal is not an audit record.
      await authorizeRollout({
        ...options,
        credentials,
        model: rollout.model,
        registryId:
          rollout.registryId ??
          (
            await options.modelCatalog.getModel(rollout.model)
          ).model.registryId,
      });
      res.json(await gradualRollouts[action](id, actorOf(credentials)));
    });
  }

  router.get('/models/:name/rollouts/gradual', async (req, res) => {
    await authorizeRead(req);
    const model = parseModelName(req.params.name);
    const query = parse(listQuery, req.query, 'query');
    res.json({ items: await gradualRollouts.list({ model, ...query }) });
  });
}
