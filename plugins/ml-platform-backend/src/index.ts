/**
 * The ML Platform backend plugin.
 *
 * @packageDocumentation
 */

export { mlPlatformPlugin as default } from './plugin';
