import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The first render of a whole test app takes seconds on a busy 2-core CI
// machine; the default 1 s wait turns that into false failures.
configure({ asyncUtilTimeout: 15_000 });

// Set here, not in package.json: a repo-wide run (jest projects) ignores a
// project's own testTimeout.
jest.setTimeout(60_000);
