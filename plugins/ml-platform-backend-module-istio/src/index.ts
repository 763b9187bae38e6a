/**
 * A traffic kind for the ML Platform backend: weighted routes of an Istio
 * VirtualService between model versions.
 *
 * @packageDocumentation
 */

export { mlPlatformModuleIstio as default } from './module';
export { virtualServiceTrafficKind } from './kind';
