export { createModelOwnership } from './createModelOwnership';
export type {
  ModelClaim,
  ModelClaims,
  ModelOwnership,
} from './createModelOwnership';
