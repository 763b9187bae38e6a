import {
  RegisteredModel,
  RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';
import { lastRolloutOf } from './lastRolloutOf';

const model = (registryId: string, name: string): RegisteredModel => ({
  registryId,
  name,
  aliases: {},
  tags: {},
});

const rollout = (
  at: string,
  extra: Partial<RolloutAuditRecord> = {},
): RolloutAuditRecord => ({
  id: at,
  at,
  actor: 'user:default/ada',
  model: 'fraud-detector',
  registryId: 'eu',
  cluster: 'prod',
  namespace: 'ml-prod',
  strategy: 'canary',
  result: 'succeeded',
  ...extra,
});

describe('lastRolloutOf', () => {
  it("gives each model its registry's newest rollout", () => {
    const of = lastRolloutOf([
      rollout('2026-11-29T10:00:00.000Z'),
      rollout('2026-11-29T11:00:00.000Z', { strategy: 'promote' }),
      rollout('2026-11-29T12:00:00.000Z', { registryId: 'us' }),
    ]);
    expect(of(model('eu', 'fraud-detector'))).toEqual({
      lastRollout: {
        at: '2026-11-29T11:00:00.000Z',
        strategy: 'promote',
        cluster: 'prod',
        namespace: 'ml-prod',
        actor: 'user:default/ada',
      },
    });
    expect(of(model('us', 'fraud-detector'))?.lastRollout?.at).toBe(
      '2026-11-29T12:00:00.000Z',
    );
    expect(of(model('eu', 'churn'))).toBeUndefined();
  });

  it('counts a rollout that names no registry for the model in every registry', () => {
    const of = lastRolloutOf([
      rollout('2026-11-29T10:00:00.000Z'),
      rollout('2026-11-29T11:00:00.000Z', {
        registryId: undefined,
        strategy: 'rollback',
      }),
    ]);
    expect(of(model('eu', 'fraud-detector'))?.lastRollout?.strategy).toBe(
      'rollback',
    );
    expect(of(model('us', 'fraud-detector'))?.lastRollout?.strategy).toBe(
      'rollback',
    );
  });
});
