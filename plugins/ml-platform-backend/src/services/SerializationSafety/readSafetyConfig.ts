import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import type { InspectionBudget } from './createVersionInspector';

/** The `mlPlatform.safety` settings the registries read artifacts with. */
export interface SafetyInspectionConfig {
  inspectionBudget: Partial<InspectionBudget>;
  recheckIntervalMs?: number;
}

export function readSafetyConfig(config: Config): SafetyInspectionConfig {
  const budget = config.getOptionalConfig('mlPlatform.safety.budget');
  const bytes = (key: string) => {
    const value = budget?.getOptionalNumber(key);
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(
        `mlPlatform.safety.budget.${key} must be a positive number of bytes`,
      );
    }
    return value;
  };
  const inspectionBudget: Partial<InspectionBudget> = {};
  const file = bytes('maxFileBytes');
  const version = bytes('maxVersionBytes');
  if (file !== undefined) inspectionBudget.maxFileBytes = file;
  if (version !== undefined) inspectionBudget.maxVersionBytes = version;
  return {
    inspectionBudget,
    recheckIntervalMs: config.has('mlPlatform.safety.recheckInterval')
      ? durationToMilliseconds(
          readDurationFromConfig(config, {
            key: 'mlPlatform.safety.recheckInterval',
          }),
        )
      : undefined,
  };
}
