import {
  ModelDeployment,
  RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import { Percents } from './splitMath';

/** The preset the user picked last; `custom` once they edit the split by hand. */
export type RolloutPreset =
  | 'custom'
  | 'canary'
  | 'ab'
  | 'promote'
  | 'gradual'
  | 'rollback';

export interface GradualStep {
  percent: number;
  waitSeconds: number;
}

/** What the dialog will send, before the user confirms. */
export interface RolloutDraft {
  preset: RolloutPreset;
  /** The version a canary, promote or gradual rollout moves traffic to. */
  candidate?: string;
  /** The split after the change, as the preview shows it. */
  after: Percents;
  steps: GradualStep[];
}

export const defaultGradualSteps: GradualStep[] = [
  { percent: 5, waitSeconds: 300 },
  { percent: 25, waitSeconds: 600 },
  { percent: 50, waitSeconds: 600 },
  { percent: 100, waitSeconds: 0 },
];

/** The request body for an immediate change (every preset but `gradual`). */
export const rolloutRequestOf = (
  draft: RolloutDraft,
  deployment: ModelDeployment,
  expectedResourceVersion: string | undefined,
): RolloutRequest => {
  const where = {
    model: deployment.model,
    registryId: deployment.registryId,
    cluster: deployment.cluster,
    namespace: deployment.namespace,
    expectedResourceVersion,
  };
  switch (draft.preset) {
    case 'canary':
      return {
        ...where,
        strategy: 'canary',
        target: {
          version: draft.candidate!,
          percent: draft.after[draft.candidate!],
        },
      };
    case 'promote':
      return {
        ...where,
        strategy: 'promote',
        target: { version: draft.candidate! },
      };
    case 'rollback':
      return { ...where, strategy: 'rollback' };
    default:
      return { ...where, strategy: 'split', weights: { ...draft.after } };
  }
};
