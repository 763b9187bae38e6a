import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { ServingRules, refusalReason } from './refusalReason';

/**
 * The version a new service starts from: the one aliased `champion`, as long
 * as it is safe and may be served; otherwise none, so the user chooses
 * deliberately.
 */
export const defaultVersion = (
  versions: ModelVersion[],
  rules: ServingRules,
): ModelVersion | undefined => {
  const champion = versions.find(v => v.aliases.includes('champion'));
  return champion &&
    champion.safety?.safety === 'safe' &&
    !refusalReason(champion, rules)
    ? champion
    : undefined;
};
