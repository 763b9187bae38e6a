import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

// Runs the plugin alone for development, with mocked auth so it can be called
// without signing in:
//
//   yarn start   (in this package)
//   curl http://localhost:7007/api/ml-platform/health
//   curl http://localhost:7007/api/ml-platform/models
const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../src'));

backend.start();
