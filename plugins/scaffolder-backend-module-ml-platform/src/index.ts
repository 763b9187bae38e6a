/**
 * The ml-platform module for the scaffolder backend: custom actions.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMlPlatform as default } from './module';
export { createDeploymentLabelsAction } from './actions/deploymentLabels';
export { createRolloutApplyAction } from './actions/rolloutApply';
export { createRolloutRollbackAction } from './actions/rolloutRollback';
