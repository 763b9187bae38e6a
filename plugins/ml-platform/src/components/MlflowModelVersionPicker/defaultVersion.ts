import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { refusalReason } from './refusalReason';

/**
 * The version a new service starts from: the one aliased `champion`, as long
 * as it may be served; otherwise none, so the user chooses deliberately.
 */
export const defaultVersion = (
  versions: ModelVersion[],
): ModelVersion | undefined => {
  const champion = versions.find(v => v.aliases.includes('champion'));
  return champion && !refusalReason(champion) ? champion : undefined;
};
