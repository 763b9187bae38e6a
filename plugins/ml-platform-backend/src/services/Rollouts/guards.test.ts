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
  safety: {
    safety,
    reason: `${safety} format`,
    flavors: [],
    source: 'bytes',
    files: [],
  },
  links: { registry: '' },
});
const versions = [
  version('5', 'safe'),
  version('6', 'unsafe'),
  version('7', 'unknown'),
];

describe('checkSafety', () => {
  const prod = { cluster: 'prod', namespace: 'ml' };
  const gate =
    (
      current: Record<string, number>,
      intended?: Record<string, number>,
      options: { target?: typeof prod; allowUnknown?: any[] } = {},
    ) =>
    () =>
      checkSafety({
        current,
        intended,
        versions,
        model: 'm',
        target: options.target ?? prod,
        policy: { allowUnknown: options.allowUnknown ?? [] },
      });

  it('refuses an unsafe version more traffic, and only that', () => {
    expect(gate({ '5': 90, '6': 10 }, { '5': 80, '6': 20 })).toThrow(
      InputError,
    );
    expect(gate({ '5': 90, '6': 10 }, { '5': 80, '6': 20 })).toThrow(
      "Version 6 of model 'm' cannot get more traffic in prod/ml: m v6 is unsafe to serve: unsafe format",
    );
    // less, or the same share under other raw weights, is fine
    expect(gate({ '5': 90, '6': 10 }, { '5': 100, '6': 0 })).not.toThrow();
    expect(gate({ '5': 90, '6': 10 }, { '5': 900, '6': 100 })).not.toThrow();
    // steps decide (Argo): any unsafe version not yet serving everything may gain
    expect(gate({ '5': 80, '6': 20 })).toThrow(InputError);
    expect(gate({ '5': 0, '6': 100 })).not.toThrow();
  });

  it('refuses an unknown version by default, and a version with no verdict at all', () => {
    expect(gate({ '5': 100, '7': 0 }, { '5': 50, '7': 50 })).toThrow(
      /Version 7 of model 'm' cannot get more traffic in prod\/ml: m v7 may not serve in prod\/ml: its serialization is unknown, unknown format Unknown versions may serve only where mlPlatform.safety.allowUnknown names the cluster or namespace/,
    );
    expect(gate({ '5': 100, '8': 0 }, { '5': 50, '8': 50 })).toThrow(
      /Version 8 .*its files could not be checked \(no verdict yet\)/,
    );
  });

  it('allows an unknown version where config allows unknown, per cluster or namespace, never an unsafe one', () => {
    const inCluster = [{ cluster: 'prod' }];
    const inNamespace = [{ cluster: 'prod', namespace: 'ml' }];
    const elsewhere = [{ cluster: 'prod', namespace: 'sandbox' }];
    const change = [
      { '5': 100, '7': 0 },
      { '5': 50, '7': 50 },
    ] as const;
    expect(gate(...change, { allowUnknown: inCluster })).not.toThrow();
    expect(gate(...change, { allowUnknown: inNamespace })).not.toThrow();
    expect(gate(...change, { allowUnknown: elsewhere })).toThrow(
      /Unknown versions may serve only in prod\/sandbox/,
    );
    expect(
      gate(
        { '5': 90, '6': 10 },
        { '5': 50, '6': 50 },
        { allowUnknown: inCluster },
      ),
    ).toThrow(/unsafe/);
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
