import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CreatorAuthorization, CreatorCheck } from '../createCreatorCheck';

/** What a creator whom the policy allows everything brings to `start`. */
export const AUTHORIZED: CreatorAuthorization = {
  principal: 'user',
  userEntityRef: 'user:default/jane',
  decision: { result: AuthorizeResult.ALLOW },
};

/**
 * A creator check that lets every step through until `revoke()`, then
 * refuses each with the reason given; counts its calls.
 */
export function creatorCheckStub() {
  let revoked: string | undefined;
  const recheck = jest.fn(async () => {
    if (revoked) {
      throw new NotAllowedError(
        `The creator may no longer change the traffic of model: ${revoked}`,
      );
    }
  });
  const check: CreatorCheck = {
    capture: async () => AUTHORIZED,
    recheck,
  };
  return {
    check,
    recheck,
    revoke(reason: string) {
      revoked = reason;
    },
  };
}
