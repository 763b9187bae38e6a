import type { RolloutAuditRecord } from '@mlplatform/plugin-ml-platform-common';

/** A split whose weights are its percentages. */
export const split = (percents: Record<string, number>) => ({
  versions: Object.entries(percents).map(([version, percent]) => ({
    version,
    weight: percent,
    percent,
  })),
});

/** A succeeded canary of fraud-detector in local/ml-prod, unless overridden. */
export const auditRecord = (
  id: string,
  overrides: Partial<RolloutAuditRecord> = {},
): RolloutAuditRecord => ({
  id,
  at: '2026-11-28T10:00:00Z',
  actor: 'user:default/ana',
  model: 'fraud-detector',
  cluster: 'local',
  namespace: 'ml-prod',
  strategy: 'canary',
  before: split({ '5': 90, '6': 10 }),
  after: split({ '5': 80, '6': 20 }),
  result: 'succeeded',
  ...overrides,
});
