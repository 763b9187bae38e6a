export {
  createGradualRolloutService,
  GRADUAL_ROLLOUTS_TASK_ID,
} from './createGradualRolloutService';
export type {
  GradualRolloutClock,
  GradualRolloutFilter,
  GradualRolloutService,
} from './types';
