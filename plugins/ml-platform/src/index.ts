/**
 * The ML Platform frontend plugin: the Models page and model entity views.
 * This entry point is for apps on the new frontend system; apps on the
 * legacy frontend system import `@mlplatform/plugin-ml-platform/legacy`.
 *
 * @packageDocumentation
 */

export { mlPlatformPlugin as default } from './plugin';
export * from './api';
export { isMlModelEntity, isMlToolEntity } from './filters';
