import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { mlPlatformModelReadPermission } from '@mlplatform/plugin-ml-platform-common';
import type { Request, Router } from 'express';
import { z } from 'zod/v3';
import type { GradualRolloutService } from '../services/GradualRollouts';
import type { ModelCatalogService } from '../services/ModelCatalog';
import type { RolloutService } from '../services/Rollouts';
import { actorOf } from '../services/Rollouts/actorOf';
import { authorizeRollout } from '../services/Rollouts/authorizeRollout';
import { authorizeRolloutRequest } from '../services/Rollouts/authorizeRolloutRequest';
import { deploymentFields, name } from './deploymentFields';
import { parse } from './parse';
import { requirePermission } from './requirePermission';

const startBody = z
  .object({
    ...deploymentFields,
    target: z.object({ version: name }).strict(),
    steps: z
      .array(
        z
          .object({
            percent: z.number().int().min(0).max(100),
            waitSeconds: z.number().int().min(0),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const listQuery = z
  .object({ cluster: name.optional(), namespace: name.optional() })
  .strict();

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
    catalog: CatalogService;
    modelCatalog: ModelCatalogService;
    rollouts: RolloutService;
    gradualRollouts: GradualRolloutService;
  },
) {
  const { httpAuth, gradualRollouts } = options;

  // Progress is for everyone who may see the model, as its page is.
  const authorizeRead = (req: Request) =>
    requirePermission(options, req, mlPlatformModelReadPermission);

  router.post('/rollouts/gradual', async (req, res) => {
    const body = parse(startBody, req.body, 'body');
    const credentials = await httpAuth.credentials(req);
    const request = await authorizeRolloutRequest({
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
        ),
      );
  });

  router.get('/rollouts/gradual/:id', async (req, res) => {
    await authorizeRead(req);
    res.json(await gradualRollouts.get(req.params.id));
  });

  for (const action of ['pause', 'resume', 'abort'] as const) {
    router.post(`/rollouts/gradual/:id/${action}`, async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      const rollout = await gradualRollouts.get(req.params.id);
      // Changes no traffic by itself, so a refusal is not an audit record.
      await authorizeRollout({
        ...options,
        credentials,
        model: rollout.model,
        registryId: rollout.registryId,
      });
      res.json(
        await gradualRollouts[action](req.params.id, actorOf(credentials)),
      );
    });
  }

  router.get('/models/:name/rollouts/gradual', async (req, res) => {
    await authorizeRead(req);
    const query = parse(listQuery, req.query, 'query');
    res.json({
      items: await gradualRollouts.list({ model: req.params.name, ...query }),
    });
  });
}
