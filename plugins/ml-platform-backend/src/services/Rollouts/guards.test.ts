import { InputError, NotAllowedError } from '@backstage/errors';
import type { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { checkGitOps, checkKnownVersions, checkSafety } from './guards';

const version = (
  v: string,
  safety: 'safe' | 'unsafe' | 'unknown',
): ModelVersion => ({
  registryId: 'mlflow',
  name: 'm',
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  safety: { safety, reason: `${safety} format`, flavors: [] },
  links: { registry: '' },
});
const versions = [
  version('5', 'safe'),
  version('6', 'unsafe'),
  version('7', 'unknown'),
];

describe('checkSafety', () => {
  it('refuses an unsafe version more traffic, and only that', () => {
    const gate =
      (current: Record<string, number>, intended?: Record<string, number>) =>
      () =>
        checkSafety({ current, intended, versions, model: 'm' });

    expect(gate({ '5': 90, '6': 10 }, { '5': 80, '6': 20 })).toThrow(
      InputError,
    );
    expect(gate({ '5': 90, '6': 10 }, { '5': 80, '6': 20 })).toThrow(
      /Version 6 of model 'm' cannot get more traffic: its serialization is unsafe \(unsafe format\)/,
    );
    // less, or the same share under other raw weights, is fine
    expect(gate({ '5': 90, '6': 10 }, { '5': 100, '6': 0 })).not.toThrow();
    expect(gate({ '5': 90, '6': 10 }, { '5': 900, '6': 100 })).not.toThrow();
    // unknown is not unsafe
    expect(gate({ '5': 100, '7': 0 }, { '5': 50, '7': 50 })).not.toThrow();
    // steps decide (Argo): any unsafe version not yet serving everything may gain
    expect(gate({ '5': 80, '6': 20 })).toThrow(InputError);
    expect(gate({ '5': 0, '6': 100 })).not.toThrow();
  });
});

describe('checkKnownVersions', () => {
  it('names the field and the versions the registry does not know', () => {
    expect(() =>
      checkKnownVersions('weights', ['5', '8', '9'], versions, 'm'),
    ).toThrow(
      new InputError(
        "weights: version 8, 9 are not versions of model 'm' in its registry",
      ),
    );
    expect(() =>
      checkKnownVersions('weights', ['5', '6'], versions, 'm'),
    ).not.toThrow();
  });
});

describe('checkGitOps', () => {
  const allowed = new Set(['dev']);
  it('refuses objects of Argo CD and Flux unless the cluster allows them', () => {
    expect(() =>
      checkGitOps({
        managedBy: 'flux:Kustomization/apps',
        cluster: 'prod',
        what: 'HTTPRoute ns/r',
        allowed,
      }),
    ).toThrow(
      new NotAllowedError(
        'HTTPRoute ns/r is managed by the Flux Kustomization/apps: its next sync would revert a direct change. ' +
          'Change the traffic in Git instead, or allow direct writes for this cluster with ' +
          'mlPlatform.rollouts.clusters[{ name: prod, allowGitOpsManaged: true }].',
      ),
    );
    expect(() =>
      checkGitOps({
        managedBy: 'argocd:apps',
        cluster: 'dev',
        what: 'x',
        allowed,
      }),
    ).not.toThrow();
    expect(() =>
      checkGitOps({ cluster: 'prod', what: 'x', allowed }),
    ).not.toThrow();
  });
});
