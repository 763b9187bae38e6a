/**
 * The ml-platform module for the scaffolder backend: custom actions.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMlPlatform as default } from './module';
export { createDeploymentLabelsAction } from './actions/deploymentLabels';
export { createKubernetesApplyAction } from './actions/kubernetesApply';
export { createModelVersionCheckAction } from './actions/modelVersionCheck';
export { createOwnerCheckAction } from './actions/ownerCheck';
export { createPublishLocalAction } from './actions/publishLocal';
export { createPublishTargetAction } from './actions/publishTarget';
export { createRolloutApplyAction } from './actions/rolloutApply';
export { createRolloutRollbackAction } from './actions/rolloutRollback';
export type { OwnerCheckServices } from './ownership/checkOwner';
