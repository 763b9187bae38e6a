import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fetchAcrossRestarts } from './fetchAcrossRestarts';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

// Stops and starts the whole platform, so scripts/test.sh runs this file on its
// own after every other suite (its name keeps it out of the parallel run).

jest.setTimeout(15 * 60_000);

const SCRIPTS = path.resolve(__dirname, '../../../scripts/platform');
const COMPONENTS = ['kube', 'mlflow', 'zenml', 'lakefs'];

function run(script: string) {
  execFileSync(path.join(SCRIPTS, script), { stdio: 'inherit' });
}

interface Daemon {
  name: string;
  pid: number;
}

function daemons(): Daemon[] {
  return fs
    .readdirSync(PLATFORM_STATE_DIR)
    .filter(f => f.endsWith('.pid'))
    .map(f => ({
      name: f.replace(/\.pid$/, ''),
      pid: Number(fs.readFileSync(path.join(PLATFORM_STATE_DIR, f), 'utf8')),
    }));
}

function ports(): number[] {
  return COMPONENTS.flatMap(c => {
    const { url, server } = readPlatformFile(c);
    return [Number(new URL(url ?? server).port)];
  });
}

/** Processes still in the process group of a stopped daemon, e.g. server workers. */
function survivors(groups: number[]): string[] {
  return fs
    .readdirSync('/proc')
    .filter(d => /^\d+$/.test(d))
    .flatMap(pid => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the parenthesised command: state, ppid, pgrp, ...
        const pgrp = Number(
          stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2],
        );
        return groups.includes(pgrp) ? [`${pid} (group ${pgrp})`] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function expectAllStopped(groups: number[], used: number[]) {
  expect(survivors(groups)).toEqual([]);
  for (const port of used) {
    expect({ port, free: await portIsFree(port) }).toEqual({
      port,
      free: true,
    });
  }
}

async function expectAllHealthy() {
  const mlflow = readPlatformFile('mlflow');
  expect((await fetchAcrossRestarts(`${mlflow.url}/health`)).status).toBe(200);
  const lakefs = readPlatformFile('lakefs');
  expect(
    (await fetchAcrossRestarts(`${lakefs.url}/api/v1/healthcheck`)).status,
  ).toBe(204);
  const zenml = readPlatformFile('zenml');
  expect((await fetchAcrossRestarts(`${zenml.url}/health`)).status).toBe(200);
  expect(fs.existsSync(readPlatformFile('kube').kubeconfig)).toBe(true);
}

describe('the local platform lifecycle', () => {
  it('stops without leaving a process or port behind, and starts again', async () => {
    await expectAllHealthy();
    const firstDaemons = daemons();
    const firstPorts = ports();
    expect(firstDaemons.map(d => d.name)).toEqual(
      expect.arrayContaining([
        'kube-apiserver',
        'kube-etcd',
        'mlflow',
        'zenml',
        'lakefs',
      ]),
    );

    run('down.sh');
    await expectAllStopped(
      firstDaemons.map(d => d.pid),
      firstPorts,
    );

    run('up.sh');
    await expectAllHealthy();
    const secondDaemons = daemons();
    const secondPorts = ports();

    run('down.sh');
    await expectAllStopped(
      secondDaemons.map(d => d.pid),
      secondPorts,
    );

    // Leave the platform as this test found it.
    run('up.sh');
    await expectAllHealthy();
  });
});
