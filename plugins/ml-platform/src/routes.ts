import { createRouteRef } from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const toolsRouteRef = createRouteRef();

/**
 * Where the model tab sits under an entity's page: the path of the model
 * entity content, and the one the README gives legacy apps. The Models page
 * links each model here, to its versions and traffic rather than to the
 * entity's overview.
 */
export const MODEL_TAB_PATH = 'model';
