import type {
  RolloutAuditRecord,
  RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import { createServingAliasMover, type AliasClient } from './moveServingAlias';

// The real MLflow side is covered by plugin.rollouts.integration.test.ts;
// this covers the decisions, with the registry's aliases in a map.
function registry(aliases: Record<string, string> = {}) {
  const state = new Map(Object.entries(aliases));
  const client: AliasClient = {
    getAliasVersion: async (_model, alias) => state.get(alias),
    setAlias: async (_model, alias, version) => {
      state.set(alias, version);
    },
    deleteAlias: async (_model, alias) => {
      state.delete(alias);
    },
  };
  return { state, client };
}

const request = (fields: Partial<RolloutRequest>): RolloutRequest => ({
  model: 'fraud-detector',
  cluster: 'prod',
  namespace: 'ml-prod',
  strategy: 'promote',
  ...fields,
});

const undone = (
  aliasChange: RolloutAuditRecord['aliasChange'],
): RolloutAuditRecord => ({
  id: '7',
  at: '2026-11-29T10:00:00.000Z',
  actor: 'user:default/jane',
  model: 'fraud-detector',
  cluster: 'prod',
  namespace: 'ml-prod',
  strategy: 'promote',
  result: 'succeeded',
  aliasChange,
});

describe('createServingAliasMover', () => {
  it('moves the alias on a full promote only', async () => {
    const { state, client } = registry({ champion: '5' });
    const mover = createServingAliasMover({
      clients: new Map([['mlflow', client]]),
      alias: 'champion',
    });
    const move = (fields: Partial<RolloutRequest>, registryId = 'mlflow') =>
      mover.move({ request: request(fields), registryId });

    expect(
      await move({ strategy: 'canary', target: { version: '6', percent: 20 } }),
    ).toBeUndefined();
    expect(
      await move({ target: { version: '6' }, nextStepOnly: true }),
    ).toBeUndefined();
    expect(await move({ target: { version: '6' } }, 'other')).toBeUndefined();
    expect(state.get('champion')).toBe('5');

    expect(await move({ target: { version: '6' } })).toEqual({
      alias: 'champion',
      from: '5',
      to: '6',
    });
    expect(state.get('champion')).toBe('6');
    // Already there: nothing to record.
    expect(await move({ target: { version: '6' } })).toBeUndefined();
  });

  it('creates a missing alias on promote, and a rollback removes it again', async () => {
    const { state, client } = registry();
    const mover = createServingAliasMover({
      clients: new Map([['mlflow', client]]),
      alias: 'champion',
    });
    const promoted = await mover.move({
      request: request({ target: { version: '6' } }),
      registryId: 'mlflow',
    });
    expect(promoted).toEqual({ alias: 'champion', to: '6' });

    const rolledBack = await mover.move({
      request: request({ strategy: 'rollback' }),
      registryId: 'mlflow',
      undone: undone(promoted),
    });
    expect(rolledBack).toBeUndefined();
    expect(state.has('champion')).toBe(false);
  });

  it('leaves the alias alone on a rollback of a rollout that moved none, or of another alias', async () => {
    const { state, client } = registry({ champion: '6' });
    const mover = createServingAliasMover({
      clients: new Map([['mlflow', client]]),
      alias: 'champion',
    });
    for (const change of [
      undefined,
      { alias: 'production', from: '5', to: '6' },
    ]) {
      expect(
        await mover.move({
          request: request({ strategy: 'rollback' }),
          registryId: 'mlflow',
          undone: undone(change),
        }),
      ).toBeUndefined();
    }
    expect(state.get('champion')).toBe('6');
  });
});
