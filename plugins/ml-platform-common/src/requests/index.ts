export {
  gradualRolloutRequestSchema,
  parseGradualRolloutRequest,
} from './gradualRolloutRequestSchema';
export { parseRequest } from './parseRequest';
export {
  deploymentRequestFields,
  requestName,
  versionRequestField,
} from './requestFields';
export {
  parseRolloutRequest,
  rolloutRequestSchema,
} from './rolloutRequestSchema';
