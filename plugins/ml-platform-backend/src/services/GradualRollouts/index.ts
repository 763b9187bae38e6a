export { createGradualRolloutService } from './createGradualRolloutService';
export { createCreatorCheck } from './createCreatorCheck';
export type { CreatorAuthorization, CreatorCheck } from './createCreatorCheck';
export type {
  GradualRolloutClock,
  GradualRolloutFilter,
  GradualRolloutService,
} from './types';
