export { createLineageResolver } from './createLineageResolver';
export type { LineageResolver } from './createLineageResolver';
export { LakefsClient } from './LakefsClient';
export type { LakefsConfig } from './LakefsClient';
export { ZenmlClient } from './ZenmlClient';
export type { ZenmlConfig } from './ZenmlClient';
export { readLineageConfig } from './readLineageConfig';
