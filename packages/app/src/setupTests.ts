import '@testing-library/jest-dom';

// Composing the whole app takes long on a busy 2-core machine. Set here, not in
// package.json: a repo-wide run (jest projects) ignores a project's testTimeout.
jest.setTimeout(120_000);
