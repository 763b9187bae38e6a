import type { V1ObjectMeta } from '@kubernetes/client-node';

/**
 * Who owns an object besides the person looking at it. Their next sync
 * reverts a direct patch, so the UI must send people there instead.
 *
 * Values: `argocd:<application>`, `flux:Kustomization/<name>`,
 * `flux:HelmRelease/<name>`, and (set by the caller) `rollout:<name>`.
 * @public
 */
export function gitOpsOwner(metadata?: V1ObjectMeta): string | undefined {
  const annotations = metadata?.annotations ?? {};
  const labels = metadata?.labels ?? {};
  // Argo CD's tracking id is `<app>:<group>/<kind>:<namespace>/<name>`.
  const trackingId = annotations['argocd.argoproj.io/tracking-id'];
  if (trackingId) {
    return `argocd:${trackingId.split(':')[0]}`;
  }
  if (labels['app.kubernetes.io/instance']) {
    return `argocd:${labels['app.kubernetes.io/instance']}`;
  }
  if (labels['kustomize.toolkit.fluxcd.io/name']) {
    return `flux:Kustomization/${labels['kustomize.toolkit.fluxcd.io/name']}`;
  }
  if (labels['helm.toolkit.fluxcd.io/name']) {
    return `flux:HelmRelease/${labels['helm.toolkit.fluxcd.io/name']}`;
  }
  return undefined;
}
