import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeClient } from '@mlplatform/plugin-ml-platform-node';
import { kubeClientOf, type LocalKube } from './localCluster';
import { mlflowApiOf, type LocalMlflow } from './localMlflow';

// Tests run from source, never from a bundle, so __dirname is this folder.
// eslint-disable-next-line no-restricted-syntax
const SCRIPTS = path.resolve(__dirname, '../../../scripts/platform');

/** A second kube-apiserver (no nodes) and MLflow server, started by the platform's own scripts. */
export interface SecondPlatform {
  kube: LocalKube;
  mlflow: LocalMlflow;
  /** The second apiserver's client, as its admin. */
  kubeClient(): KubeClient;
  /** A REST call to the second MLflow as its admin, as `mlflowAdminApi` is to the first. */
  mlflowApi(method: string, path: string, body?: unknown): Promise<any>;
  stop(component: 'kube' | 'mlflow'): void;
  /** Stops both and removes the instance's data. */
  remove(): void;
}

/**
 * Starts another instance of the local platform's apiserver and MLflow, with
 * their own data, ports and credentials, for tests of a portal that reads
 * several clusters and registries. Takes about 25 s once the platform's
 * builds are cached.
 */
export function startSecondPlatform(): SecondPlatform {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'second-platform-'));
  const run = (component: string, command: string) =>
    execFileSync(path.join(SCRIPTS, `${component}.sh`), [command], {
      stdio: 'inherit',
      env: {
        ...process.env,
        ML_PLATFORM_STATE: state,
        // The apiserver alone: no scheduler, no fake nodes.
        ML_KUBE_WORKLOADS: 'off',
      },
    });
  const read = <T>(name: string): T =>
    JSON.parse(fs.readFileSync(path.join(state, `${name}.json`), 'utf8'));

  run('kube', 'start');
  run('mlflow', 'start');
  const kube = read<LocalKube>('kube');
  const mlflow = read<LocalMlflow>('mlflow');
  const stopped = new Set<string>();

  return {
    kube,
    mlflow,
    kubeClient: () => kubeClientOf(kube),
    mlflowApi: mlflowApiOf(mlflow),
    stop(component) {
      if (stopped.has(component)) return;
      run(component, 'stop');
      stopped.add(component);
    },
    remove() {
      for (const component of ['mlflow', 'kube'] as const) {
        try {
          this.stop(component);
        } catch {
          // Stopped already, or never started: nothing of it is left to stop.
        }
      }
      fs.rmSync(state, { recursive: true, force: true });
    },
  };
}
