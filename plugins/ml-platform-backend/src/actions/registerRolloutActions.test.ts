import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import type {
  RolloutAuditPage,
  RolloutRequest,
  RolloutResult,
} from '@mlplatform/plugin-ml-platform-common';
import request from 'supertest';
import type { RolloutAuditStore } from '../services/Audit';
import {
  RolloutConflictError,
  type RolloutCatalog,
  type RolloutService,
} from '../services/Rollouts';
import { claimingEntity, testOwnership } from '../__testUtils__/modelClaims';
import { registerRolloutActions } from './registerRolloutActions';

const JANE = 'user:default/jane';
const BOB = 'user:default/bob';
const ACTIONS = '/api/ml-platform/.backstage/actions/v1/actions';

const modelEntity = (name: string, annotation: string, owner: string): Entity =>
  claimingEntity({ name, annotation, owner });

// Jane owns the component that names fraud-detector; Bob owns an unrelated
// component, which must not let him act on the model.
const entities = [
  modelEntity('fraud-scorer', 'fraud-detector', JANE),
  modelEntity('bobs-service', 'churn-predictor', BOB),
];

const result: RolloutResult = {
  auditId: '7',
  router: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    name: 'fraud-detector',
  },
  before: { versions: [{ version: '2', weight: 100, percent: 100 }] },
  after: {
    versions: [
      { version: '2', weight: 80, percent: 80 },
      { version: '3', weight: 20, percent: 20 },
    ],
  },
  resourceVersion: '101',
};

const canary: RolloutRequest = {
  model: 'fraud-detector',
  cluster: 'local',
  namespace: 'ml-prod',
  strategy: 'canary',
  target: { version: '3', percent: 20 },
};

async function startBackend() {
  const rollouts = {
    apply: jest.fn(async () => result),
    recordRefused: jest.fn(async () => {}),
    current: jest.fn(),
  } satisfies RolloutService;
  // The registry knows these models; orphan-model has no catalog entity.
  const modelCatalog: RolloutCatalog = {
    getModel: async name => {
      if (
        !['fraud-detector', 'churn-predictor', 'orphan-model'].includes(name)
      ) {
        throw new NotFoundError(`No registered model named '${name}'`);
      }
      return { model: { registryId: 'mlflow', name } } as any;
    },
  };
  const page: RolloutAuditPage = { items: [], nextCursor: undefined };
  const audit = {
    record: jest.fn(),
    list: jest.fn(async () => page),
    latestSucceeded: jest.fn(),
  } as unknown as jest.Mocked<RolloutAuditStore>;

  // The demo policy's rule: the rollout permission only for the entity's
  // owner; the audit trail for any signed-in user but Bob.
  const permissions = mockServices.permissions.mock({
    authorize: jest.fn(async (requests, { credentials }) => {
      const user = (credentials.principal as { userEntityRef?: string })
        .userEntityRef;
      return requests.map(r => {
        if (isResourcePermission(r.permission)) {
          const entity = entities.find(
            e => `component:default/${e.metadata.name}` === r.resourceRef,
          );
          return {
            result:
              entity?.spec?.owner === user
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          };
        }
        return {
          result: user === BOB ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        };
      });
    }),
    // Nobody here is allowed the rollout permission on every model.
    authorizeConditional: jest.fn(async requests =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    ),
  });

  const plugin = createBackendPlugin({
    pluginId: 'ml-platform',
    register(env) {
      env.registerInit({
        deps: {
          actionsRegistry: actionsRegistryServiceRef,
          permissions: coreServices.permissions,
          catalog: catalogServiceRef,
          logger: coreServices.logger,
        },
        async init({ catalog, ...deps }) {
          registerRolloutActions({
            ...deps,
            ownership: testOwnership(catalog),
            rollouts,
            audit,
            modelCatalog,
          });
        },
      });
    },
  });

  const { server } = await startTestBackend({
    features: [
      plugin,
      catalogServiceMock.factory({ entities }),
      permissions.factory,
    ],
  });
  return { server, rollouts, audit, permissions };
}

describe('registerRolloutActions', () => {
  it('lists both actions with what they may do', async () => {
    const { server } = await startBackend();

    const res = await request(server)
      .get(ACTIONS)
      .set('Authorization', mockCredentials.user.header(JANE));

    expect(res.status).toBe(200);
    expect(
      res.body.actions.map((a: any) => ({
        id: a.id,
        attributes: a.attributes,
      })),
    ).toEqual([
      {
        id: 'ml-platform:apply-model-rollout',
        attributes: { destructive: true, idempotent: false, readOnly: false },
      },
      {
        id: 'ml-platform:list-model-rollouts',
        attributes: { destructive: false, idempotent: true, readOnly: true },
      },
    ]);
  });

  it("applies a rollout for the owner of the model's entity, as that user", async () => {
    const { server, rollouts, permissions } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:apply-model-rollout/invoke`)
      .set('Authorization', mockCredentials.user.header(JANE))
      .send(canary);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ output: result });
    // The request names the registry the model was found in, and comes with
    // the model as the permission check resolved it, not to be looked up again.
    expect(rollouts.apply).toHaveBeenCalledWith(
      { ...canary, registryId: 'mlflow' },
      JANE,
      { model: { registryId: 'mlflow', name: 'fraud-detector' } },
    );
    // The check is on the entity the catalog says names the model.
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'ml-platform.rollout.execute',
          }),
          resourceRef: 'component:default/fraud-scorer',
        },
      ],
      expect.anything(),
    );
  });

  it('denies a non-owner, audits the refusal and changes nothing', async () => {
    const { server, rollouts } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:apply-model-rollout/invoke`)
      .set('Authorization', mockCredentials.user.header(BOB))
      .send(canary);

    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        "Not allowed to change the traffic of model 'fraud-detector' of registry 'mlflow': permission ml-platform.rollout.execute denied on component:default/fraud-scorer",
    });
    expect(rollouts.apply).not.toHaveBeenCalled();
    expect(rollouts.recordRefused).toHaveBeenCalledWith(
      { ...canary, registryId: 'mlflow' },
      BOB,
      res.body.error.message,
    );
  });

  it('refuses a model no trusted catalog entity claims, audits it and applies nothing', async () => {
    const { server, rollouts } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:apply-model-rollout/invoke`)
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({ ...canary, model: 'orphan-model' });

    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /model 'orphan-model' of registry 'mlflow': no catalog entity from a trusted location claims it/,
    );
    expect(rollouts.apply).not.toHaveBeenCalled();
    expect(rollouts.recordRefused).toHaveBeenCalledWith(
      expect.objectContaining({ model: 'orphan-model' }),
      JANE,
      res.body.error.message,
    );
  });

  it('answers 404 for a model the registry does not know, recording nothing', async () => {
    const { server, rollouts } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:apply-model-rollout/invoke`)
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({ ...canary, model: 'no-such-model' });

    expect(res.status).toBe(404);
    expect(rollouts.apply).not.toHaveBeenCalled();
    expect(rollouts.recordRefused).not.toHaveBeenCalled();
  });

  it('rejects invalid input before any check or change', async () => {
    const { server, rollouts, permissions } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:apply-model-rollout/invoke`)
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({ ...canary, strategy: 'yolo' });

    expect(res.status).toBe(400);
    expect(permissions.authorize).not.toHaveBeenCalled();
    expect(rollouts.apply).not.toHaveBeenCalled();
  });

  it('reports a conflict with the split as it is now', async () => {
    const { server, rollouts } = await startBackend();
    rollouts.apply.mockRejectedValueOnce(
      new RolloutConflictError(
        'HTTPRoute fraud-detector changed since it was read: nothing was applied',
        {
          versions: [
            { version: '2', weight: 50, percent: 50 },
            { version: '3', weight: 50, percent: 50 },
          ],
        },
        '102',
      ),
    );

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:apply-model-rollout/invoke`)
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({ ...canary, expectedResourceVersion: '100' });

    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'HTTPRoute fraud-detector changed since it was read: nothing was applied. ' +
        'Current split: version 2 50%, version 3 50%. ' +
        'Pass expectedResourceVersion 102 to apply against it.',
    );
  });

  it('lists the audit trail for a caller allowed to read it', async () => {
    const { server, audit } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:list-model-rollouts/invoke`)
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({
        model: 'fraud-detector',
        registryId: 'mlflow',
        cluster: 'local',
      });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ output: { items: [] } });
    expect(audit.list).toHaveBeenCalledWith({
      model: 'fraud-detector',
      registryId: 'mlflow',
      cluster: 'local',
      limit: 20,
    });
  });

  it('does not show the audit trail to a caller denied reading it', async () => {
    const { server, audit } = await startBackend();

    const res = await request(server)
      .post(`${ACTIONS}/ml-platform:list-model-rollouts/invoke`)
      .set('Authorization', mockCredentials.user.header(BOB))
      .send({ model: 'fraud-detector' });

    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/ml-platform.audit.read denied/);
    expect(audit.list).not.toHaveBeenCalled();
  });
});
